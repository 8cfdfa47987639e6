/**
 * The optional native BLAS path for the course's wasm kernels.
 *
 * `course-blas` (native/course-blas, an optional dependency) is a small
 * Node-API addon that npm builds at install time against the system's
 * OpenBLAS. Where it built, the course's wasm kernels for matrix products
 * and convolutions hand their arithmetic to it: they take zero-copy
 * Float32Array views of the wasm heap (./wasm-memory) and the addon runs
 * cblas_sgemm on them directly (docs/performance.md compares the two). Where it did not build (no OpenBLAS headers, no
 * compiler, another OS), requiring it fails, and the kernels use their
 * pure-wasm paths: same results, slower. A build from older sources than the
 * checkout's is refused (native/course-blas/index.js), with the command that
 * rebuilds it.
 *
 *   COURSE_NATIVE_BLAS=0     ignore the addon even when it is installed
 *   COURSE_BLAS_THREADS=n    OpenBLAS threads (default 1, see docs/performance.md)
 */
import { createRequire } from 'node:module';

/** The codes the addon's functions take, as its C header (native/course-blas/src/course_blas.h) defines them. */
export interface NativeCodes {
  /** gemm's and conv2d's fused activation, by tfjs's name ('linear', 'relu', 'relu6', 'sigmoid', 'elu', 'leakyrelu'). */
  activation: Record<string, number>;
  /** activationGrad's kind. */
  activationGrad: { sigmoid: number; relu: number };
  /** poolGradTiled's kind. */
  pool: { max: number; average: number };
}

export interface NativeBlas {
  /** The package version and a digest of the sources the binary was built from (index.js refuses a stale one). */
  buildId: string;
  codes: NativeCodes;
  /** For each i < batch: c[i] = act(op(a[i]) op(b[i]) + bias); a[i] starts at i * aBatchStride (0 broadcasts). */
  gemm(
    a: Float32Array, b: Float32Array, c: Float32Array, batch: number, m: number, n: number, k: number,
    transposeA: boolean, transposeB: boolean, aBatchStride: number, bBatchStride: number,
    bias: Float32Array | null, activation: number, alpha: number,
  ): void;
  /** NHWC convolution: out = act(conv(x, filter) + bias). geometry: see convGeometryArray. */
  conv2d(x: Float32Array, filter: Float32Array, out: Float32Array, geometry: Int32Array, bias: Float32Array | null, activation: number, alpha: number): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, geometry: Int32Array): void;
  /** One Adam step (kernels/adam-update.ts). */
  adamUpdate(
    param: Float32Array, m: Float32Array, v: Float32Array, gradient: Float32Array,
    paramOut: Float32Array, mOut: Float32Array, vOut: Float32Array, beta1: number, beta2: number, stepSize: number, epsilon: number,
  ): void;
  /** out = param − learningRate · gradient, rounded as tfjs's mul then sub (sgd-update.ts). */
  sgdUpdate(param: Float32Array, gradient: Float32Array, out: Float32Array, learningRate: number): void;
  /** out = dy · slope (codes.activationGrad.sigmoid: saved = y; .relu: saved = x) (activation-grads.ts). */
  activationGrad(kind: number, dy: Float32Array, saved: Float32Array, out: Float32Array): void;
  /** out = x + bias along the last axis (wasm-bias-add.ts). */
  biasAdd(x: Float32Array, bias: Float32Array, out: Float32Array): void;
  /** out[c] = Σ over the rows of x (rows of out.length values), a bias's gradient (wasm-bias-grad-sum.ts). */
  columnSums(x: Float32Array, out: Float32Array): void;
  /**
   * Pooling gradient where the windows tile the input (pool-grad-tiled.ts): kind codes.pool.max (x needed) or .average.
   * geometry: [batch, outHeight, outWidth, channels, windowHeight, windowWidth].
   */
  poolGradTiled(kind: number, x: Float32Array | null, dy: Float32Array, dx: Float32Array, geometry: number[]): void;
  setThreads(threads: number): void;
  describe(): { library: string; config?: string; core?: string; threads: number };
}

export const NATIVE_BLAS_ENV_VAR = 'COURSE_NATIVE_BLAS';
export const BLAS_THREADS_ENV_VAR = 'COURSE_BLAS_THREADS';
/** One thread: faster for the course's workloads when two lessons share two cores (docs/performance.md). */
const DEFAULT_THREADS = 1;

export interface NativeBlasStatus {
  active: boolean;
  /** "OpenBLAS 0.3.21 … Zen, 1 thread" when active; why not, when not. */
  description: string;
}

let loaded: { blas: NativeBlas | null; status: NativeBlasStatus } | undefined;
let enabled = true;

function load(): { blas: NativeBlas | null; status: NativeBlasStatus } {
  if (loaded) return loaded;
  const setting = process.env[NATIVE_BLAS_ENV_VAR]?.trim();
  if (setting === '0' || setting === 'false' || setting === 'off') {
    loaded = { blas: null, status: { active: false, description: `native BLAS off (${NATIVE_BLAS_ENV_VAR}=${setting})` } };
    return loaded;
  }
  try {
    const blas = createRequire(`${process.cwd()}/`)('course-blas') as NativeBlas;
    const threads = Number(process.env[BLAS_THREADS_ENV_VAR] ?? DEFAULT_THREADS);
    blas.setThreads(Number.isInteger(threads) && threads >= 1 ? threads : DEFAULT_THREADS);
    const about = blas.describe();
    const name = about.config ? about.config.split(' ').slice(0, 2).join(' ') : about.library;
    const core = about.core ? ` (${about.core})` : '';
    const description = `native BLAS: ${name}${core}, ${about.threads} thread${about.threads === 1 ? '' : 's'}`;
    loaded = { blas, status: { active: true, description } };
  } catch (error) {
    const message = String(error instanceof Error ? error.message : error).split('\n')[0];
    const why = /Cannot find module 'course-blas'/.test(message)
      ? 'the optional course-blas addon is not installed (it needs OpenBLAS and a C compiler: npm run setup installs them and builds it)'
      : `course-blas failed to load: ${message}`;
    loaded = { blas: null, status: { active: false, description: `no native BLAS: ${why}` } };
  }
  return loaded;
}

/** The addon, or null when it is absent, failed to load, or is switched off. */
export function nativeBlas(): NativeBlas | null {
  return enabled ? load().blas : null;
}

/** The addon, for a kernel registered only where it loaded; throws if it has been switched off since. */
export function requireNativeBlas(kernelName: string): NativeBlas {
  const blas = nativeBlas();
  if (!blas) throw new Error(`${kernelName} runs on the course-blas addon, which is switched off: unregister the course's kernels and register them again.`);
  return blas;
}

/** Whether the native path is in use, and a one-line description for the lesson header and the bench. */
export function nativeBlasStatus(): NativeBlasStatus {
  const { status } = load();
  if (status.active && !enabled) return { active: false, description: 'native BLAS switched off (useNativeBlas(false))' };
  return status;
}

/**
 * Switches the native path off (false) or back on (true) for this process,
 * e.g. to compare the two paths' results or speed. Returns the previous setting.
 */
export function useNativeBlas(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

const geometryScratch = new Int32Array(15);

/** The addon's geometry layout, reusing one Int32Array (the addon reads it during the call only). */
export function convGeometryArray(g: {
  batch: number; inHeight: number; inWidth: number; inChannels: number; outHeight: number; outWidth: number; outChannels: number;
  filterHeight: number; filterWidth: number; strideHeight: number; strideWidth: number; dilationHeight: number; dilationWidth: number;
  padTop: number; padLeft: number;
}): Int32Array {
  const values = [
    g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.outChannels, g.filterHeight, g.filterWidth,
    g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, g.padTop, g.padLeft,
  ];
  geometryScratch.set(values);
  return geometryScratch;
}
