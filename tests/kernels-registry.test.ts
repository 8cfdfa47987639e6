/**
 * Which kernels registerCourseKernels puts in place: exactly those of the user's configuration (wasm with the
 * addon, without it, cpu); replacements only on the tfjs version they were verified on (another version keeps
 * tfjs's kernel and warns once); none under COURSE_KERNELS=off; the activation gradients replaced only where
 * their kernels exist. And assertKernelsAvailable's message for a missing one.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { CourseError } from '../src/errors';
import {
  assertKernelsAvailable, COURSE_KERNELS, courseKernels, courseKernelsOff, installedBackendVersion, registerCourseKernels,
  unregisterCourseKernels, VERIFIED_TFJS_VERSION,
} from '../src/kernels';
import { nativeBlasStatus } from '../src/kernels/native-blas';
import { partExpectedAbsent } from './helpers/optional-part';
import {
  ADDON, forEachWasmPath, NATIVE, setUpKernelTests, shippedCpuKernels, shippedWasmKernels, WASM_KERNELS, WASM_KERNELS_WITH_ADDON,
} from './helpers/kernel-checks';

const replacements = (backend: string) =>
  COURSE_KERNELS.filter((k) => k.config.backendName === backend && k.upstream && (!k.nativeOnly || nativeBlasStatus().active)).map((k) => k.config.kernelName);
const ours = (name: string, backend: string) => COURSE_KERNELS.some((k) => k.config.kernelName === name && k.config.backendName === backend && tf.getKernel(name, backend)?.kernelFunc === k.config.kernelFunc);

setUpKernelTests();

describe('registerCourseKernels', () => {
  it('has registered the wasm kernels, and a second call registers nothing', () => {
    for (const { kernelName } of courseKernels('wasm')) expect(tf.getKernel(kernelName, 'wasm'), kernelName).toBeDefined();
    expect(registerCourseKernels('wasm')).toEqual([]);
  });

  it('has replaced only the slow Conv2DBackpropFilter on cpu, and added the fused Adam update', () => {
    expect(courseKernels('cpu')).toEqual([
      { kernelName: 'Conv2DBackpropFilter', reason: 'slow' },
      { kernelName: 'CourseAdamUpdate', reason: 'fused' },
    ]);
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).not.toBe(shippedCpuKernels[0]);
    expect(registerCourseKernels('cpu')).toEqual([]);
  });

  it('adds nothing to a backend it has no kernels for', () => {
    expect(registerCourseKernels('webgl')).toEqual([]);
  });

  it('covers what training a conv net needs on wasm', () => {
    assertKernelsAvailable(
      ['Conv2D', 'FusedConv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'AvgPool', 'AvgPoolGrad', 'MaxPool', 'MaxPoolGrad'],
      'wasm',
    );
  });
});

describe('assertKernelsAvailable', () => {
  it('passes silently when every kernel is there', () => {
    expect(() => assertKernelsAvailable(['Conv2D', 'Sigmoid'], 'cpu')).not.toThrow();
  });

  it('names each missing kernel, the backend, and the way out', () => {
    let error: unknown;
    try {
      assertKernelsAvailable(['Conv2D', 'NoSuchKernel', 'AlsoMadeUp'], 'wasm');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CourseError);
    const message = (error as Error).message;
    expect(message).toContain("'NoSuchKernel'");
    expect(message).toContain("'AlsoMadeUp'");
    expect(message).not.toContain("'Conv2D'");
    expect(message).toContain("'wasm'");
    expect(message).toContain('COURSE_BACKEND');
    expect(message).toMatch(/node-gpu, node, wasm or cpu/);
  });

  it('defaults to the active backend', async () => {
    await tf.setBackend('wasm');
    expect(() => assertKernelsAvailable(['MadeUpKernel'])).toThrow(/backend 'wasm' has no kernel 'MadeUpKernel'/);
  });
});

if (partExpectedAbsent(ADDON)) {
  describe('a machine without the course-blas addon', () => {
    it('has none: the addon is not installed at all, not merely switched off', () => {
      expect(NATIVE.active).toBe(false);
      expect(NATIVE.description).toMatch(/the optional course-blas addon is not installed/);
    });
  });
}

forEachWasmPath((path) => {
  it(`registers exactly the kernels of the ${path} path`, () => {
    const expected = path === 'native BLAS' ? [...WASM_KERNELS, ...WASM_KERNELS_WITH_ADDON] : WASM_KERNELS;
    expect(courseKernels('wasm').map((k) => k.kernelName).sort()).toEqual([...expected].sort());
    for (const name of [...WASM_KERNELS, ...WASM_KERNELS_WITH_ADDON]) {
      const registered = tf.getKernel(name, 'wasm')?.kernelFunc;
      const shipped = shippedWasmKernels.get(name)?.kernelFunc;
      if (expected.includes(name)) expect(registered !== undefined && registered !== shipped, `${name} is the course's`).toBe(true);
      else expect(registered, `${name} is the shipped kernel, or none`).toBe(shipped);
    }
  });
});

describe('registerCourseKernels and the tfjs version', () => {
  afterEach(() => {
    // Back to what a user's process has.
    unregisterCourseKernels('wasm');
    registerCourseKernels('wasm');
  });

  it('applies every replacement on the version they were verified on, which is the one installed', () => {
    expect(installedBackendVersion('wasm')).toBe(VERIFIED_TFJS_VERSION);
    expect(installedBackendVersion('cpu')).toBe(VERIFIED_TFJS_VERSION);
    for (const name of replacements('wasm')) expect(ours(name, 'wasm'), name).toBe(true);
  });

  it('on another version keeps tfjs’s own kernels and says so once, in one line', () => {
    // A version no other test registers on: the warning is once per process and version.
    const UPGRADE = '4.99.1';
    unregisterCourseKernels('wasm');
    const lines: string[] = [];
    const registered = registerCourseKernels('wasm', { installedVersion: UPGRADE, warn: (line) => lines.push(line) });
    const skipped = replacements('wasm');
    expect(skipped.length).toBeGreaterThan(5);
    for (const name of skipped) {
      expect(ours(name, 'wasm'), `${name} is tfjs's`).toBe(false);
      expect(tf.getKernel(name, 'wasm') !== undefined || name.startsWith('Course'), `${name} still has tfjs's kernel`).toBe(true);
    }
    // What no version of tfjs has stays: the missing filter gradient.
    expect(registered).toContain('Conv2DBackpropFilter');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(lines[0]).toContain(UPGRADE);
    expect(lines[0]).toContain(VERIFIED_TFJS_VERSION);
    for (const name of skipped.filter((n) => !n.startsWith('Course'))) expect(lines[0]).toContain(name);
    expect(lines[0]).toContain('tests/kernels-upstream.test.ts');
    // Once: registering again on that version warns no more.
    unregisterCourseKernels('wasm');
    registerCourseKernels('wasm', { installedVersion: UPGRADE, warn: (line) => lines.push(line) });
    expect(lines).toHaveLength(1);
  });

  it("keeps tfjs's gradients of Sigmoid and Relu unless their one-pass kernels are registered", () => {
    const courseGradient = tf.getGradient(tf.Sigmoid);
    unregisterCourseKernels('wasm');
    const tfjsGradient = tf.getGradient(tf.Sigmoid);
    registerCourseKernels('cpu');
    expect(tf.getGradient(tf.Sigmoid)).toBe(tfjsGradient);
    registerCourseKernels('wasm', { installedVersion: '4.99.0', warn: () => undefined });
    expect(tf.getGradient(tf.Sigmoid)).toBe(tfjsGradient);
    unregisterCourseKernels('wasm');
    registerCourseKernels('wasm');
    // With the addon, the course's gradient is back; without it, tfjs's stays.
    expect(tf.getGradient(tf.Sigmoid) === tfjsGradient).toBe(!nativeBlasStatus().active);
    if (nativeBlasStatus().active) expect(courseGradient).not.toBe(tfjsGradient);
  });
});

describe('COURSE_KERNELS', () => {
  afterEach(() => {
    unregisterCourseKernels('wasm');
    registerCourseKernels('wasm');
  });

  it('off registers nothing: every kernel is tfjs’s own', () => {
    unregisterCourseKernels('wasm');
    expect(registerCourseKernels('wasm', { env: { COURSE_KERNELS: 'off' } })).toEqual([]);
    for (const { config } of COURSE_KERNELS.filter((k) => k.config.backendName === 'wasm')) expect(ours(config.kernelName, 'wasm'), config.kernelName).toBe(false);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
  });

  it('accepts on, off or nothing, and names anything else with the fix', () => {
    expect(courseKernelsOff({})).toBe(false);
    expect(courseKernelsOff({ COURSE_KERNELS: 'on' })).toBe(false);
    expect(courseKernelsOff({ COURSE_KERNELS: 'off' })).toBe(true);
    expect(() => courseKernelsOff({ COURSE_KERNELS: 'no' })).toThrow(CourseError);
    expect(() => courseKernelsOff({ COURSE_KERNELS: 'no' })).toThrow(/COURSE_KERNELS=no is not a setting the course knows.*\n.*off/);
  });
});
