// The notebooks as students see them: `npm start`'s Jupyter (the classic Notebook) in Chromium. Lessons 1
// and 2 and a notebook with every kind of output the course makes are run with Cell → Run All; every
// figure must be drawn, every output shown, no page error logged. The saved notebook opened again draws
// its figures; opened where Jupyter does not trust it, each figure says to run its cell. Meanwhile
// another checkout's kernel is the one registered for Jupyter opened by hand: `npm start` must not use
// it. Screenshots go to build/screenshots/.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, TSLAB_ENTRY } from '../../tools/jupyter.mjs';
import { EXECUTED_DIR, findLesson, type Notebook, readNotebook } from '../../tools/notebooks';
import { runLesson } from '../../tools/run-lesson';
import { descendants } from '../../tools/stop-on-signals';
import { canRunBrowserTests, launchBrowser, screenshot } from './browser';
import { otherCheckoutsKernel, type OtherCheckoutKernel } from '../helpers/other-checkout-kernel';
import { everyOutputNotebook } from './every-output-notebook';

/** The notebooks run here, under the server's root at the same depth as lessons/ (each imports ./src/…). */
const UI_DIR = join(REPO_ROOT, 'build', 'notebook-ui');
const UI_PATH = 'build/notebook-ui';

const run = canRunBrowserTests('the notebooks in Jupyter in a browser');

/** Errors of Jupyter's own page, whatever the notebook: not the course's to fix. */
function jupyterOwnError(message: string, url: string): boolean {
  // Notebook 6 always asks for the ipywidgets extension, which the course does not install.
  if (`${url} ${message}`.includes('/nbextensions/widgets/notebook/js/extension.js')) return true;
  // MathJax 2 probes for a web font at about:blank; Chromium refuses and says so.
  return url === 'about:blank' || message.includes("Access to font at 'about:blank'");
}

interface WatchedNotebook {
  page: Page;
  errors: string[];
}

async function openNotebook(browser: Browser, server: { url: string; token: string }, name: string): Promise<WatchedNotebook> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error' && !jupyterOwnError(message.text(), message.location().url)) errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400 && !jupyterOwnError('', response.url())) errors.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.goto(`${server.url}/notebooks/${UI_PATH}/${name}?token=${server.token}`, { waitUntil: 'load' });
  await page.waitForFunction(() => {
    const jupyter = (window as unknown as { Jupyter?: { notebook?: { kernel?: { is_connected?: () => boolean } } } }).Jupyter;
    return jupyter?.notebook?.kernel?.is_connected?.() && document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
  }, null, { timeout: 120_000, polling: 250 });
  return { page, errors };
}

/** Cell → Run All, as a student would, then waits until every code cell has run and the kernel is idle. */
async function runAll(page: Page, timeoutSeconds: number): Promise<void> {
  await page.click('#celllink');
  await page.click('#run_all_cells');
  await page.waitForFunction(() => {
    const cells = (window as unknown as { Jupyter: { notebook: { get_cells(): Array<{ cell_type: string; input_prompt_number?: unknown }> } } }).Jupyter.notebook.get_cells();
    const done = cells.filter((c) => c.cell_type === 'code').every((c) => typeof c.input_prompt_number === 'number');
    return done && document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
  }, null, { timeout: timeoutSeconds * 1000, polling: 500 });
}

/** What each code cell's outputs are, as the page shows them: one entry per output, and whether it shows anything. */
function shownOutputs(page: Page): Promise<Array<Array<{ visible: boolean; text: string }>>> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('.cell.code_cell')).map((cell) =>
      Array.from(cell.querySelectorAll('.output_area')).map((area) => {
        const subarea = area.querySelector('.output_subarea');
        const text = (subarea as HTMLElement | null)?.innerText.trim() ?? '';
        const visible = text.length > 0 || subarea?.querySelector('img, svg, progress, table') !== null;
        return { visible, text: text.slice(0, 200) };
      }),
    ),
  );
}

/** Each course figure on the page: drawn (plotly's SVG) or showing its placeholder. */
function figures(page: Page): Promise<Array<{ drawn: boolean; text: string }>> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('.course-plot')).map((div) => ({ drawn: div.querySelector('svg.main-svg') !== null, text: (div as HTMLElement).innerText.trim() })),
  );
}

/** Waits until no figure is still waiting for plotly.js. */
async function figuresSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => Array.from(document.querySelectorAll('.course-plot')).every((div) => !div.querySelector('.course-plot-placeholder')), null, {
    timeout: 30_000,
  });
}

/** An output as a kind: the stream's name, the MIME types shown, or "error". */
function kindsPerCell(notebook: Notebook): string[][] {
  return notebook.cells
    .filter((cell) => cell.cell_type === 'code')
    .map((cell) =>
      [...new Set((cell.outputs ?? []).map((o) => (o.output_type === 'stream' ? `stream:${o.name as string}` : o.output_type === 'error' ? 'error' : Object.keys((o.data as object) ?? {}).sort().join('+'))))].sort(),
    );
}

/** File → Save and Checkpoint, then waits until the file on disk has the outputs. */
async function saveNotebook(page: Page, name: string): Promise<Notebook> {
  const file = join(UI_DIR, name);
  const before = statSync(file).mtimeMs;
  await page.click('#filelink');
  await page.click('#save_checkpoint');
  const deadline = Date.now() + 30_000;
  while (statSync(file).mtimeMs === before) {
    if (Date.now() > deadline) throw new Error(`Jupyter did not save ${name}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await page.waitForTimeout(500); // written whole
  return readNotebook(file);
}

/** The whole notebook: the page scrolls inside #site, so the window is made as tall as the notebook. */
async function notebookScreenshot(page: Page, name: string): Promise<void> {
  const height = await page.evaluate(() => (document.querySelector('#header')?.clientHeight ?? 0) + (document.querySelector('#notebook')?.scrollHeight ?? 0));
  await page.setViewportSize({ width: 1280, height: Math.min(Math.max(height + 40, 900), 16_000) });
  await page.waitForTimeout(300); // plotly redraws responsive figures on resize
  await screenshot(page, name);
  await page.setViewportSize({ width: 1280, height: 900 });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The headless run of a lesson to compare with: npm test's, if it is up to date, else one made now. */
async function headlessRun(number: string): Promise<Notebook> {
  const lesson = findLesson(number);
  const executed = join(EXECUTED_DIR, `${lesson.slug}.ipynb`);
  const fresh = existsSync(executed) && statSync(executed).mtimeMs >= statSync(lesson.path).mtimeMs && readNotebook(executed).metadata.course?.results?.passed;
  if (fresh) return readNotebook(executed);
  const { executedPath } = await runLesson(lesson, { executedDir: join(UI_DIR, 'headless') });
  return readNotebook(executedPath);
}

describe.runIf(run)("the notebooks in npm start's Jupyter, in Chromium", () => {
  let npm: ChildProcess;
  let npmOutput = '';
  let browser: Browser;
  let scratch: string;
  let otherKernel: OtherCheckoutKernel;
  const server = { url: '', token: randomBytes(16).toString('hex') };

  beforeAll(async () => {
    rmSync(UI_DIR, { recursive: true, force: true });
    mkdirSync(UI_DIR, { recursive: true });
    symlinkSync('../../src', join(UI_DIR, 'src'));
    for (const number of ['1', '2']) copyFileSync(findLesson(number).path, join(UI_DIR, `${findLesson(number).slug}.ipynb`));
    writeFileSync(join(UI_DIR, 'every-output.ipynb'), JSON.stringify(everyOutputNotebook(), null, 1));

    scratch = mkdtempSync(join(tmpdir(), 'course-jupyter-'));
    otherKernel = otherCheckoutsKernel(scratch);
    const port = await freePort();
    server.url = `http://127.0.0.1:${port}`;
    // npm start exactly as a student types it, with the arguments a student may add.
    npm = spawn('npm', ['start', '--', '--no-browser', `--port=${port}`, `--NotebookApp.token=${server.token}`], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...otherKernel.env },
    });
    npm.stdout!.on('data', (chunk: Buffer) => (npmOutput += chunk.toString()));
    npm.stderr!.on('data', (chunk: Buffer) => (npmOutput += chunk.toString()));
    const deadline = Date.now() + 120_000;
    for (;;) {
      const ready = await fetch(`${server.url}/api/status?token=${server.token}`).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline || npm.exitCode !== null) throw new Error(`Jupyter did not start:\n${npmOutput}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (npm?.exitCode === null) {
      for (const pid of [npm.pid!, ...descendants(npm.pid!)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('offers this checkout\'s tslab as the "TypeScript" kernel', async () => {
    const specs = (await (await fetch(`${server.url}/api/kernelspecs?token=${server.token}`)).json()) as {
      kernelspecs: Record<string, { spec: { argv: string[]; display_name: string } }>;
    };
    expect(specs.kernelspecs.tslab.spec.display_name).toBe('TypeScript');
    expect(specs.kernelspecs.tslab.spec.argv).toContain(TSLAB_ENTRY);
  });

  it('runs a notebook with every kind of output the course makes, and shows each', async () => {
    const { page, errors } = await openNotebook(browser, server, 'every-output.ipynb');
    await runAll(page, 300);
    await figuresSettled(page);
    await notebookScreenshot(page, 'jupyter-every-output.png');

    const drawn = await figures(page);
    expect(drawn.length, 'two figures at once, a digit grid and a live plot').toBe(4);
    expect(drawn.filter((f) => !f.drawn), 'figures left undrawn').toEqual([]);
    const outputs = await shownOutputs(page);
    const expected = everyOutputNotebook().cells.filter((c) => c.cell_type === 'code').map((c) => (c.metadata as { outputs: number }).outputs);
    expect(outputs.map((cell) => cell.length), 'outputs per code cell').toEqual(expected);
    expect(outputs.flat().filter((o) => !o.visible), 'outputs that show nothing').toEqual([]);
    const text = outputs.map((cell) => cell.map((o) => o.text).join('\n'));
    expect(text[0]).toContain(`kernel: ${TSLAB_ENTRY}`); // this checkout's
    expect(text.join('\n')).toContain('[metric] fixture_metric = 0.5');
    expect(text.at(-1)).toContain('this cell fails on purpose');
    const progress = await page.evaluate(() => Array.from(document.querySelectorAll('progress')).map((p) => [p.value, p.max]));
    expect(progress, 'one progress bar, redrawn in place to the end').toEqual([[20, 20]]);
    const images = await page.evaluate(() => Array.from(document.querySelectorAll('.output_subarea img')).map((img) => (img as HTMLImageElement).naturalWidth));
    expect(images.length).toBeGreaterThan(0);
    expect(images.every((width) => width > 0), 'every image decoded').toBe(true);
    expect(errors).toEqual([]);
    const saved = await saveNotebook(page, 'every-output.ipynb');
    expect(saved.cells.map((c) => (c.outputs ?? []).length), 'outputs saved per cell').toEqual(expected);
    await page.close();
  }, 400_000);

  it('draws every figure of the saved notebook when it is opened again', async () => {
    const { page, errors } = await openNotebook(browser, server, 'every-output.ipynb');
    expect(await page.evaluate(() => (window as unknown as { Jupyter: { notebook: { trusted: boolean } } }).Jupyter.notebook.trusted)).toBe(true);
    await figuresSettled(page);
    const drawn = await figures(page);
    expect(drawn.length).toBe(4);
    expect(drawn.filter((f) => !f.drawn)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('says in place of each figure to run its cell where Jupyter does not trust the notebook', async () => {
    // Changed outside Jupyter, the notebook no longer matches its signature: Jupyter runs none of its scripts.
    const file = join(UI_DIR, 'every-output.ipynb');
    const notebook = JSON.parse(readFileSync(file, 'utf8')) as Notebook;
    writeFileSync(file, JSON.stringify({ ...notebook, metadata: { ...notebook.metadata, edited_outside_jupyter: true } }, null, 1));
    const { page, errors } = await openNotebook(browser, server, 'every-output.ipynb');
    expect(await page.evaluate(() => (window as unknown as { Jupyter: { notebook: { trusted: boolean } } }).Jupyter.notebook.trusted)).toBe(false);
    const shown = await figures(page);
    expect(shown.length).toBe(4);
    for (const figure of shown) {
      expect(figure.drawn).toBe(false);
      expect(figure.text).toMatch(/^Run this cell to draw the figure( “.+”)?\. \(Jupyter does not draw figures saved in a notebook it does not trust\.\)$/);
    }
    await notebookScreenshot(page, 'jupyter-untrusted.png');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  for (const number of ['1', '2']) {
    it(`runs lesson ${number} with Run All: every figure drawn, every output shown, the same outputs as headless`, async () => {
      const lesson = findLesson(number);
      const headless = await headlessRun(number);
      const { page, errors } = await openNotebook(browser, server, `${lesson.slug}.ipynb`);
      await runAll(page, 600);
      await figuresSettled(page);
      await notebookScreenshot(page, `jupyter-${lesson.slug}.png`);

      const drawn = await figures(page);
      expect(drawn.length).toBeGreaterThan(0);
      expect(drawn.filter((f) => !f.drawn), 'figures left undrawn').toEqual([]);
      const outputs = await shownOutputs(page);
      expect(outputs.flat().filter((o) => !o.visible), 'outputs that show nothing').toEqual([]);
      expect(errors).toEqual([]);
      const saved = await saveNotebook(page, `${lesson.slug}.ipynb`);
      expect(outputs.map((cell) => cell.length), 'outputs shown per code cell, against those saved').toEqual(
        saved.cells.filter((c) => c.cell_type === 'code').map((c) => (c.outputs ?? []).length),
      );
      expect(kindsPerCell(saved), 'the kinds of output of each cell, against a headless run').toEqual(kindsPerCell(headless));
      await page.close();
    }, 900_000);
  }

  it('used no other checkout\'s kernel, and ends with its kernels when npm start is stopped', async () => {
    expect(existsSync(otherKernel.launches) ? readFileSync(otherKernel.launches, 'utf8') : '').toBe('');
    const started = descendants(npm.pid!);
    expect(started.length).toBeGreaterThan(1);
    const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
    process.kill(npm.pid!, 'SIGTERM');
    await exited;
    const deadline = Date.now() + 15_000;
    const running = () => started.filter((pid) => {
      try {
        return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false; // gone
      }
    });
    while (running().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(running()).toEqual([]);
    expect(npmOutput).toMatch(/npm start stopped \(SIGTERM\): ended Jupyter with its kernels \(\d+ processes\)\./);
  }, 60_000);
});
