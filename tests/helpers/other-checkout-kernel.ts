import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TSLAB_BINARY } from '../../tools/jupyter.mjs';

export interface OtherCheckoutKernel {
  /** Add to a command's environment: as a user's, where Jupyter opened by hand finds its kernels. */
  env: NodeJS.ProcessEnv;
  /** A file with a line for each launch of that kernel (absent if it never ran). */
  launches: string;
}

/**
 * A kernel named tslab, "TypeScript", that belongs to another checkout of the course, registered where
 * Jupyter and VS Code opened by hand find it: the user's data folder (JUPYTER_DATA_DIR, where
 * `tslab install` writes) and a JUPYTER_PATH the user set. It records each launch, then runs tslab. The
 * data folder also keeps the notebook signatures a test's Jupyter makes out of the user's own.
 */
export function otherCheckoutsKernel(root: string): OtherCheckoutKernel {
  const launches = join(root, 'launches');
  const wrapper = join(root, 'other-checkout-tslab.sh');
  writeFileSync(wrapper, `#!/bin/sh\necho "$@" >> '${launches}'\nexec '${TSLAB_BINARY}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  for (const dir of [join(root, 'data'), join(root, 'path')]) {
    mkdirSync(join(dir, 'kernels', 'tslab'), { recursive: true });
    const spec = { argv: [wrapper, 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript', language: 'typescript' };
    writeFileSync(join(dir, 'kernels', 'tslab', 'kernel.json'), JSON.stringify(spec));
  }
  return { env: { JUPYTER_DATA_DIR: join(root, 'data'), JUPYTER_PATH: join(root, 'path') }, launches };
}
