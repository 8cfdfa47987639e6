/**
 * Choosing where the tensors live. TensorFlow.js has several backends with the
 * same API; the course uses the fastest one that loads on this machine:
 *
 *   node-gpu  @tensorflow/tfjs-node-gpu (CUDA), opt-in: npm run setup -- --gpu
 *   node      @tensorflow/tfjs-node (native libtensorflow), opt-in: npm run setup -- --native
 *   wasm      @tensorflow/tfjs-backend-wasm, installs everywhere: what every student gets, and what the tests cover
 *   cpu       pure JavaScript, always there, slowest
 *
 * The native packages download libtensorflow when they install, so they are
 * not dependencies: a student who wants one asks for it
 * (tools/native-tensorflow.mjs). Set COURSE_BACKEND to one of the names above
 * to force a backend, and COURSE_KERNELS=off to run on tfjs's own kernels only
 * (docs/kernels.md).
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { CourseError } from './errors';
import { COURSE_KERNELS_ENV_VAR, courseKernelsOff, registerCourseKernels } from './kernels/index';
import { nativeBlasStatus, NativeBlasStatus } from './kernels/native-blas';

export const BACKEND_CHOICES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export const BACKEND_ENV_VAR = 'COURSE_BACKEND';

export interface BackendInfo {
  /** The course's name for the backend (what COURSE_BACKEND accepts). */
  choice: BackendChoice;
  /** TensorFlow.js's own backend name (`tf.getBackend()`). */
  tfName: string;
  /** Why each faster backend was passed over. */
  skipped: Array<{ choice: BackendChoice; reason: string }>;
  /** Kernels the course registered: missing ones, its fused ops, and replacements for wrong or slow ones (docs/kernels.md says which and why). */
  addedKernels: string[];
  /** On wasm: whether the course's kernels run their matrix products and convolutions on the optional native BLAS addon, and why not. */
  nativeBlas?: NativeBlasStatus;
}

/** Loads a backend's package and makes it the active one, or says why not. */
type Loader = () => Promise<{ tfName: string } | { reason: string }>;

const requireFromHere = createRequire(`${process.cwd()}/`);

/**
 * Requires the first of `modules` that is really `packageName` and loads.
 * A module name may be an npm alias, and danfojs-node's `@tensorflow/tfjs-node`
 * is plain tfjs in disguise (see package.json's overrides), hence the name check.
 * Native packages throw when their libtensorflow binary is missing.
 */
function requireFirst(packageName: string, modules: string[], optIn?: string): { reason: string } | null {
  for (const module of modules) {
    let installedName: string | undefined;
    try {
      installedName = (requireFromHere(`${module}/package.json`) as { name?: string }).name;
    } catch {
      continue;
    }
    if (installedName !== packageName) continue;
    try {
      requireFromHere(module);
      return null;
    } catch (error) {
      return { reason: `${packageName} failed to load: ${firstLine(error)}` };
    }
  }
  return { reason: `${packageName} is not installed${optIn ? ` (${optIn} installs it)` : ''}` };
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}

/** Activates a registered tfjs backend, returning false if it fails to initialise. */
async function activate(tfName: string): Promise<boolean> {
  if (!tf.findBackendFactory(tfName)) return false;
  try {
    return await tf.setBackend(tfName);
  } catch {
    return false;
  }
}

function nativeLoader(packageName: string, modules: string[], optIn: string): Loader {
  return async () => {
    const failure = requireFirst(packageName, modules, optIn);
    if (failure) return failure;
    if (!(await activate('tensorflow'))) return { reason: `${packageName} loaded but its native backend did not start` };
    return { tfName: 'tensorflow' };
  };
}

const LOADERS: Record<BackendChoice, Loader> = {
  'node-gpu': nativeLoader('@tensorflow/tfjs-node-gpu', ['@tensorflow/tfjs-node-gpu'], 'npm run setup -- --gpu'),
  // `npm run setup -- --native` installs tfjs-node under the alias tfjs-node-cpu (the name
  // @tensorflow/tfjs-node is danfojs-node's plain tfjs); a user may also install it by its own name.
  node: nativeLoader('@tensorflow/tfjs-node', ['tfjs-node-cpu', '@tensorflow/tfjs-node'], 'npm run setup -- --native'),
  wasm: async () => {
    const failure = requireFirst('@tensorflow/tfjs-backend-wasm', ['@tensorflow/tfjs-backend-wasm']);
    if (failure) return failure;
    return (await activate('wasm')) ? { tfName: 'wasm' } : { reason: 'the WebAssembly module failed to initialise' };
  },
  cpu: async () => ((await activate('cpu')) ? { tfName: 'cpu' } : { reason: 'the cpu backend failed to initialise' }),
};

/** Reads COURSE_BACKEND; an unknown name is an error that lists the choices. */
export function forcedBackend(env: NodeJS.ProcessEnv = process.env): BackendChoice | undefined {
  const value = env[BACKEND_ENV_VAR]?.trim();
  if (!value) return undefined;
  if ((BACKEND_CHOICES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new CourseError(
    `${BACKEND_ENV_VAR}=${value} is not a backend the course knows.`,
    `use one of: ${BACKEND_CHOICES.join(', ')} (or unset ${BACKEND_ENV_VAR} to pick the fastest automatically).`,
  );
}

let current: BackendInfo | undefined;
/** Whether `current` was forced: then it says nothing of the faster backends, and a free choice redoes it. */
let currentForced = false;

/**
 * Activates the fastest backend that loads (or the forced one) and registers the
 * course's kernels for it (missing, wrong or slow ones). Safe to call repeatedly.
 */
export async function selectBackend(options: { force?: BackendChoice } = {}): Promise<BackendInfo> {
  const force = options.force ?? forcedBackend();
  const sameRequest = force ? force === current?.choice : !currentForced;
  if (current && sameRequest && tf.getBackend() === current.tfName) return current;

  const candidates = force ? [force] : [...BACKEND_CHOICES];
  const skipped: BackendInfo['skipped'] = [];
  for (const choice of candidates) {
    const outcome = await LOADERS[choice]();
    if ('reason' in outcome) {
      skipped.push({ choice, reason: outcome.reason });
      continue;
    }
    const addedKernels = registerCourseKernels(outcome.tfName);
    current = { choice, tfName: outcome.tfName, skipped, addedKernels };
    currentForced = force !== undefined;
    // The addon serves only the course's kernels: with them off, it has nothing to say.
    if (outcome.tfName === 'wasm' && !courseKernelsOff()) current.nativeBlas = nativeBlasStatus();
    return current;
  }
  const why = skipped.map((s) => `${s.choice}: ${s.reason}`).join('; ');
  throw new CourseError(
    force ? `The ${force} backend, forced by ${BACKEND_ENV_VAR}, is not available (${why}).` : `No TensorFlow.js backend loaded (${why}).`,
    force ? `unset ${BACKEND_ENV_VAR} or choose another of: ${BACKEND_CHOICES.join(', ')}.` : 'run `npm run setup` to reinstall the dependencies.',
  );
}

/** One line for the top of every lesson. */
export function describeBackend(info: BackendInfo): string {
  // A native engine that is not installed was not asked for (the default): one short note says how to.
  const optIn = info.skipped.filter((s) => / is not installed/.test(s.reason));
  const failed = info.skipped.filter((s) => !optIn.includes(s));
  const passed = failed.length ? ` (passed over: ${failed.map((s) => `${s.choice}, ${s.reason}`).join('; ')})` : '';
  const notInstalled = optIn.length ? `; ${optIn.map((s) => s.choice).join(' and ')} not installed (npm run setup -- --native or --gpu)` : '';
  const forced = forcedBackend() ? `, forced by ${BACKEND_ENV_VAR}` : '';
  const native = info.nativeBlas ? `; ${info.nativeBlas.description}` : '';
  const kernels = courseKernelsOff() ? `; the course's kernels off (${COURSE_KERNELS_ENV_VAR}=off)` : '';
  return `Backend: ${info.choice}${forced}, TensorFlow.js ${tf.version.tfjs}${native}${kernels}${passed}${notInstalled}`;
}
