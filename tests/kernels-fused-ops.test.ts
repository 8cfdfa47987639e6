/**
 * The course's own ops, each several tfjs kernels in one pass: Adam's and SGD's updates and the activations' gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { RELU_GRAD, SIGMOID_GRAD } from '../src/kernels/activation-grads';
import { ADAM_ATTRS, expectAdamMatchesOps, expectClose, forEachWasmPath, seededNormal, setUpKernelTests } from './helpers/kernel-checks';

setUpKernelTests();

describe('CourseAdamUpdate (fused Adam) on cpu matches the update written with tfjs ops', () => {
  it('cpu', async () => {
    await expectAdamMatchesOps('cpu');
  });
});

forEachWasmPath((path) => {
  if (path === 'native BLAS') {
    describe('CourseAdamUpdate (fused Adam) on wasm matches the update written with tfjs ops', () => {
      it('wasm', async () => {
        await expectAdamMatchesOps('wasm');
      });

      it('names a gradient of the wrong shape', async () => {
        await tf.setBackend('wasm');
        const [p, m, v] = [tf.zeros([3, 2]), tf.zeros([3, 2]), tf.zeros([3, 2])];
        const g = tf.zeros([2, 3]);
        expect(() => tf.engine().runKernel('CourseAdamUpdate', { param: p, m, v, gradient: g }, ADAM_ATTRS)).toThrow(/gradient has shape \[2,3\], the parameter \[3,2\]/);
        tf.dispose([p, m, v, g]);
      });
    });

    describe('CourseSgdUpdate (fused SGD step) on wasm', () => {
      it('gives the very bits of θ − g·η computed with tfjs ops', async () => {
        await tf.setBackend('wasm');
        const [param, gradient] = [tf.tensor2d(seededNormal(200 * 784, 2001), [200, 784]), tf.tensor2d(seededNormal(200 * 784, 2002), [200, 784])];
        for (const learningRate of [0.01, 0.3, 1e-3]) {
          const fused = tf.engine().runKernel('CourseSgdUpdate', { param, gradient }, { learningRate }) as tf.Tensor;
          const composed = tf.tidy(() => param.sub(gradient.mul(learningRate)));
          expect(Array.from(fused.dataSync())).toEqual(Array.from(composed.dataSync()));
          tf.dispose([fused, composed]);
        }
        tf.dispose([param, gradient]);
      });

      it('names a gradient of the wrong shape', async () => {
        await tf.setBackend('wasm');
        const [param, gradient] = [tf.zeros([3, 4]), tf.zeros([4, 3])];
        expect(() => tf.engine().runKernel('CourseSgdUpdate', { param, gradient }, { learningRate: 0.1 })).toThrow(/gradient has shape \[4,3\], the parameter \[3,4\]/);
        tf.dispose([param, gradient]);
      });
    });

    describe("CourseSigmoidGrad and CourseReluGrad (an activation's gradient in one pass) on wasm", () => {
      /** Normal values with the awkward ones mixed in. */
      const values = (size: number, seed: number, specials: number[]) => {
        const v = seededNormal(size, seed);
        specials.forEach((special, i) => (v[i * 7] = special));
        return v;
      };
      const shape = [37, 29];
      const size = tf.util.sizeFromShape(shape);
      const dy = () => tf.tensor(values(size, 2101, [NaN, 0, -0, Infinity, -1]), shape);

      it("give the very bits of tfjs's composed gradients, NaN, ±0 and infinities included", async () => {
        await tf.setBackend('wasm');
        const [gradient, x] = [dy(), tf.tensor(values(size, 2102, [-0, 0, NaN, -Infinity, Infinity, 1e-30, -1e-30]), shape)];
        const y = tf.sigmoid(x); // in [0, 1], with NaN, 0 and 1 among them
        const cases = [
          { kernel: SIGMOID_GRAD, saved: y, composed: () => tf.mul(gradient, tf.mul(y, tf.sub(tf.scalar(1), y))) },
          { kernel: RELU_GRAD, saved: x, composed: () => tf.mul(gradient, tf.cast(tf.step(x), 'float32')) },
        ];
        for (const { kernel, saved, composed } of cases) {
          const fused = tf.engine().runKernel(kernel, { dy: gradient, saved }, {}) as tf.Tensor;
          const expected = tf.tidy(composed);
          expect(Array.from(fused.dataSync()), kernel).toEqual(Array.from(expected.dataSync()));
          tf.dispose([fused, expected]);
        }
        tf.dispose([gradient, x, y]);
      });

      it('are what tf.grad uses on wasm, and agree with cpu, second derivatives included', async () => {
        const x = values(size, 2103, []);
        const gradients = async (backend: string) => {
          await tf.setBackend(backend);
          const input = tf.tensor(x, shape);
          const upstream = tf.tensor(seededNormal(size, 2104), shape);
          const kernels = (await tf.profile(() => {
            tf.dispose([tf.grad((t: tf.Tensor) => tf.sigmoid(t))(input, upstream), tf.grad((t: tf.Tensor) => tf.relu(t))(input, upstream)]);
          })).kernelNames;
          const results = tf.tidy(() => [
            tf.grad((t: tf.Tensor) => tf.sigmoid(t))(input, upstream),
            tf.grad((t: tf.Tensor) => tf.relu(t))(input, upstream),
            // Second derivatives, through the kernels' own gradients.
            tf.grad(tf.grad((t: tf.Tensor) => tf.sigmoid(t).mul(t)))(input),
            tf.grad(tf.grad((t: tf.Tensor) => tf.relu(t).square()))(input),
          ].map((t) => t.dataSync() as Float32Array));
          tf.dispose([input, upstream]);
          return { kernels, results };
        };
        const cpu = await gradients('cpu');
        const wasm = await gradients('wasm');
        expect(cpu.kernels).not.toContain(SIGMOID_GRAD);
        expect(wasm.kernels).toEqual(expect.arrayContaining([SIGMOID_GRAD, RELU_GRAD]));
        wasm.results.forEach((result, i) => expectClose(result, cpu.results[i], 1e-5, ['sigmoid', 'relu', '(σ(t)·t)″', '(relu(t)²)″'][i]));
      });

      it('name a dy of the wrong shape', async () => {
        await tf.setBackend('wasm');
        const [gradient, saved] = [tf.zeros([3, 4]), tf.zeros([4, 3])];
        expect(() => tf.engine().runKernel(SIGMOID_GRAD, { dy: gradient, saved }, {})).toThrow(/dy has shape \[3,4\], the activation \[4,3\]/);
        tf.dispose([gradient, saved]);
      });
    });
  } else {
    describe("the activations' gradients on wasm without the addon", () => {
      it("are tfjs's composed ones, and agree with cpu", async () => {
        const shape = [37, 29];
        const x = seededNormal(tf.util.sizeFromShape(shape), 2103);
        const upstream = seededNormal(tf.util.sizeFromShape(shape), 2104);
        const gradients = async (backend: string) => {
          await tf.setBackend(backend);
          const [input, dy] = [tf.tensor(x, shape), tf.tensor(upstream, shape)];
          const kernels = (await tf.profile(() => {
            tf.dispose([tf.grad((t: tf.Tensor) => tf.sigmoid(t))(input, dy), tf.grad((t: tf.Tensor) => tf.relu(t))(input, dy)]);
          })).kernelNames;
          const results = tf.tidy(() => [tf.grad((t: tf.Tensor) => tf.sigmoid(t))(input, dy), tf.grad((t: tf.Tensor) => tf.relu(t))(input, dy)].map((t) => t.dataSync() as Float32Array));
          tf.dispose([input, dy]);
          return { kernels, results };
        };
        const cpu = await gradients('cpu');
        const wasm = await gradients('wasm');
        expect(wasm.kernels).not.toContain(SIGMOID_GRAD);
        expect(wasm.kernels).not.toContain(RELU_GRAD);
        wasm.results.forEach((result, i) => expectClose(result, cpu.results[i], 1e-5, ['sigmoid', 'relu'][i]));
      });
    });
  }
});
