// `npm start`: the classic Jupyter Notebook on the lessons folder, with the TypeScript (tslab) kernel.
// The server's root is the repository, not lessons/, so that notebooks can load plotly.js from
// node_modules through the server (files/node_modules/...) without any download.
import { spawn } from 'node:child_process';
import { findJupyterPython, jupyterEnv, JUPYTER_INSTALL_HINT, notebookServerArgs, REPO_ROOT } from './jupyter.mjs';
import { stopOnSignals, stopRequested, trackChild } from './stop-on-signals';

const python = findJupyterPython();
if (!python) {
  console.error(`Jupyter is not installed.\n  Fix: ${JUPYTER_INSTALL_HINT}`);
  process.exit(1);
}
const args = notebookServerArgs(process.argv.slice(2));
console.log(`Starting Jupyter: ${python} ${args.join(' ')}\nOpen a lesson and pick the "TypeScript" kernel if Jupyter asks. Stop with Ctrl+C.`);
// Its own session, so that Ctrl+C reaches this process alone and ends Jupyter with its kernels at once
// (Jupyter itself would ask for confirmation, and a kill of the server alone leaves its kernels running).
const child = spawn(python, args, { stdio: 'inherit', cwd: REPO_ROOT, env: jupyterEnv(), detached: true });
trackChild(child, 'Jupyter with its kernels');
stopOnSignals('npm start');
child.on('exit', (code) => {
  if (!stopRequested()) process.exit(code ?? 0); // else the stop says what ended, and exits
});
