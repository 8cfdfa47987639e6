/**
 * `npm run test:node-versions` (CI, after `npm test`): the Node versions the README names besides the one
 * CI runs on. Each comes from the npm registry as the official binary (the node-<platform>-<arch>
 * package, into build/node-versions/), and runs, with this checkout's node_modules (the addon is a
 * Node-API module, so one build serves every version), the unit and kernel tests and lesson 1; a
 * one-cell notebook checks that the kernel itself runs on that version.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { executeNotebook } from './executor';
import { REPO_ROOT } from './jupyter.mjs';
import { add, countsText, elapsed, unitTierEnv, NO_TESTS, RESULTS_DIR, runPass, runStep, runVitest, type Counts } from './test-runs';

const VERSIONS = ['22', '24'];
const DIR = join(REPO_ROOT, 'build', 'node-versions');

/** The official Node binary of `major` from the npm registry, installed once; its bin folder. */
function installNode(major: string): string {
  const prefix = join(DIR, major);
  const name = `node-${process.platform}-${process.arch}`;
  const bin = join(prefix, 'node_modules', name, 'bin');
  if (!existsSync(join(bin, 'node'))) {
    console.log(`Installing Node ${major} (${name}@${major}) from the npm registry …`);
    mkdirSync(prefix, { recursive: true });
    execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save', `${name}@${major}`], { stdio: 'inherit' });
  }
  return bin;
}

/** The Node version a kernel started by Jupyter runs on, given a PATH. */
async function kernelNodeVersion(PATH: string): Promise<string> {
  const dir = join(DIR, 'kernel-check');
  mkdirSync(dir, { recursive: true });
  const notebook = join(dir, 'version.ipynb');
  const cell = { cell_type: 'code', source: 'console.log(process.version)', metadata: {}, outputs: [], execution_count: null };
  writeFileSync(notebook, JSON.stringify({ cells: [cell], metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, nbformat: 4, nbformat_minor: 5 }));
  let printed = '';
  await executeNotebook(notebook, join(dir, 'version-executed.ipynb'), {
    cellTimeoutSeconds: 60,
    env: { PATH },
    onEvent(event) {
      if (event.event === 'output' && event.content.name === 'stdout') printed += event.content.text ?? '';
    },
  });
  return printed.trim();
}

async function main(): Promise<Counts> {
  const started = performance.now();
  let total: Counts = NO_TESTS;
  const lines: string[] = [];
  for (const major of VERSIONS) {
    const bin = installNode(major);
    const node = join(bin, 'node');
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    // The tslab kernel starts as `#!/usr/bin/env node`: this PATH makes it run on this version too.
    const PATH = [bin, process.env.PATH].join(delimiter);
    const env = { ...process.env, PATH };
    console.log(`\n=== Node ${version} ===`);
    const unit = await runVitest(`the unit and kernel tests on Node ${major}`, join(RESULTS_DIR, `node-${major}.json`), [], {
      node,
      env: unitTierEnv(env),
    });
    const kernel = await kernelNodeVersion(PATH);
    const lesson = await runStep(`lesson 1 on Node ${major}`, node, ['--import', 'tsx', 'tools/lesson.ts', '1'], { env });
    const checks: Array<[string, boolean]> = [
      [`the kernel runs on ${version} (it said ${kernel || 'nothing'})`, kernel === version],
      [`lesson 1 passes on ${version}`, lesson === 0],
    ];
    const failed = checks.filter(([, ok]) => !ok).length;
    const counts = add(unit, { passed: checks.length - failed, failed, skipped: 0 });
    total = add(total, counts);
    lines.push(`  Node ${version}: unit and kernel tests ${countsText(unit)}`, ...checks.map(([check, ok]) => `    ${ok ? 'ok' : 'FAILED'}: ${check}`));
  }
  console.log(`\nNode versions (${elapsed(started)}):\n${lines.join('\n')}`);
  return total;
}

runPass('node-versions', 'npm run test:node-versions', main);
