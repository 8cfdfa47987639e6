import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TSLAB_BINARY } from '../../tools/jupyter.mjs';

export interface FailingKernel {
  /** The kernel's name, for `kernelName`. */
  name: string;
  /** Pass as the executor's environment: Jupyter finds the kernel through JUPYTER_PATH. */
  env: NodeJS.ProcessEnv;
}

/**
 * A Jupyter kernel that dies at start-up the first `failures` times it is launched, then is tslab,
 * like a kernel whose ports another process took (a race of Jupyter's, not of the notebook).
 */
export function kernelFailingToStart(scratch: string, failures: number): FailingKernel {
  const dir = mkdtempSync(join(scratch, 'jupyter-'));
  const name = `fails-${failures}-times`;
  const launches = join(dir, 'launches');
  const script = join(dir, 'kernel.sh');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      `echo started >> '${launches}'`,
      `[ "$(wc -l < '${launches}')" -le ${failures} ] && exit 3`,
      `exec '${TSLAB_BINARY}' "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  mkdirSync(join(dir, 'kernels', name), { recursive: true });
  const spec = { argv: [script, 'kernel', '--config-path', '{connection_file}'], display_name: name, language: 'typescript' };
  writeFileSync(join(dir, 'kernels', name, 'kernel.json'), JSON.stringify(spec));
  return { name, env: { JUPYTER_PATH: dir } };
}
