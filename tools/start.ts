// `npm start`: the classic Jupyter Notebook on the lessons folder, with the TypeScript (tslab) kernel.
// The server's root is the repository, not lessons/, so that notebooks can load plotly.js from
// node_modules through the server (files/node_modules/...) without any download.
import { spawn } from 'node:child_process';
import { findJupyterPython, jupyterEnv, JUPYTER_INSTALL_HINT, REPO_ROOT } from './jupyter.mjs';

const python = findJupyterPython();
if (!python) {
  console.error(`Jupyter is not installed.\n  Fix: ${JUPYTER_INSTALL_HINT}`);
  process.exit(1);
}
// Jupyter refuses to run as root without --allow-root; containers and classroom VMs often are root.
const rootFlag = process.getuid?.() === 0 ? ['--allow-root'] : [];
const args = ['-m', 'notebook', `--notebook-dir=${REPO_ROOT}`, '--NotebookApp.default_url=/tree/lessons', ...rootFlag, ...process.argv.slice(2)];
console.log(`Starting Jupyter: ${python} ${args.join(' ')}\nOpen a lesson and pick the "TypeScript" kernel if Jupyter asks. Stop with Ctrl+C.`);
const child = spawn(python, args, { stdio: 'inherit', cwd: REPO_ROOT, env: jupyterEnv() });
child.on('exit', (code) => process.exit(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
