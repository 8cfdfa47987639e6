/**
 * The benchmark's fixed workloads, the seeds' recipes: each trains on real MNIST
 * for a given number of samples (capped by time on slow backends) and reports
 * samples per second. tools/bench/torch_workloads.py runs the same in PyTorch.
 */
import * as tf from '@tensorflow/tfjs';
import { tensorBatches } from '../../src/data/batches';
import { imagesToTensor, labelsToTensor, loadDataset, takeImages } from '../../src/data/mnist';
import { createRng } from '../../src/random';
import { buildLeNet } from '../../src/models/lenet';
import { createMlpParams, disposeMlpParams, paramList, SIGMOID_MLP } from '../../src/models/small-mlp';
import { sampleGradients } from '../../src/models/mlp-backprop';
import { adam } from '../../src/training/adam';
import { sgd } from '../../src/training/sgd';
import type { WorkloadResult } from './report';

export interface Workload {
  name: string;
  unit: 'samples/s' | 'GFLOP/s';
  run(maxSeconds: number): Promise<WorkloadResult>;
}

const seed = 1;

/** Wall-clock and processor time since its creation. */
function stopwatch(): { seconds(): number; cpuSeconds(): number } {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  return {
    seconds: () => (performance.now() - started) / 1000,
    cpuSeconds: () => {
      const used = process.cpuUsage(cpuStarted);
      return (used.user + used.system) / 1e6;
    },
  };
}
const glorot = () => tf.initializers.glorotUniform({ seed: createRng(seed).seed() });

function mnistTrain(count: number, shape: number[]): { x: tf.Tensor; y: tf.Tensor } {
  const set = takeImages(loadDataset('mnist').train, count);
  return tf.tidy(() => ({ x: imagesToTensor(set).reshape([set.count, ...shape]), y: tf.oneHot(labelsToTensor(set), 10).toFloat() }));
}

/** Trains `model` with `optimizer` over batches of (x, y) until the data or the time runs out. */
async function trainLoop(name: string, model: tf.LayersModel, optimizer: tf.Optimizer, loss: (y: tf.Tensor, p: tf.Tensor) => tf.Scalar,
  x: tf.Tensor, y: tf.Tensor, batchSize: number, maxSeconds: number): Promise<WorkloadResult> {
  const step = ([xb, yb]: [tf.Tensor, tf.Tensor]) => {
    // apply, as the lessons train: predict() would cut the batch into pieces of 32 and concatenate them.
    tf.tidy(() => {
      optimizer.minimize(() => loss(yb, model.apply(xb) as tf.Tensor));
    });
    tf.dispose([xb, yb]);
    return xb.shape[0];
  };
  step(tensorBatches(x, y, batchSize).next().value!); // warm-up: kernels compiled, optimizer slots created
  await tf.nextFrame();
  const tensorsBefore = tf.memory().numTensors;
  const clock = stopwatch();
  let samples = 0;
  for (const batch of tensorBatches(x, y, batchSize)) {
    samples += step(batch);
    if (clock.seconds() > maxSeconds) break;
  }
  await (model.getWeights()[0].data()); // wait for queued work
  const seconds = clock.seconds();
  return {
    workload: name, unit: 'samples/s', throughput: samples / seconds, samples, seconds, cpuSeconds: clock.cpuSeconds(),
    tensorsBefore, tensorsAfter: tf.memory().numTensors,
  };
}

const softmaxCrossEntropy = (y: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;

export const WORKLOADS: Workload[] = [
  mlpWorkload('mlp 784-250-200-10, Adam, batch 64', () => tf.train.adam(1e-2)),
  // What lessons 5-7 run: the same Adam with each weight's update fused into one kernel (src/training/adam.ts).
  mlpWorkload("mlp 784-250-200-10, Adam, batch 64 [the course's adam(), lessons 5-7]", () => adam(1e-2)),
  {
    name: 'sigmoid 784-200-10, SGD, one sample a step',
    unit: 'samples/s',
    async run(maxSeconds) {
      const { x, y } = mnistTrain(10000, [784]);
      const model = tf.sequential({ layers: [
        tf.layers.dense({ units: 200, activation: 'sigmoid', inputShape: [784], kernelInitializer: glorot() }),
        tf.layers.dense({ units: 10, activation: 'sigmoid', kernelInitializer: glorot() }),
      ] });
      const optimizer = tf.train.sgd(0.01);
      const mse = (yb: tf.Tensor, p: tf.Tensor) => tf.losses.meanSquaredError(yb, p) as tf.Scalar;
      const result = await trainLoop(this.name, model, optimizer, mse, x, y, 1, maxSeconds);
      tf.dispose([x, y]); model.dispose(); optimizer.dispose();
      return result;
    },
  },
  {
    // What lessons 3 and 4 actually run: the same step with gradients written out by hand (checked
    // against autodiff in tests/mlp-backprop.test.ts). The bracket marks a variant of the workload above.
    name: 'sigmoid 784-200-10, SGD, one sample a step [hand-written step, lessons 3-4]',
    unit: 'samples/s',
    async run(maxSeconds) {
      const { x, y } = mnistTrain(10000, [784]);
      const params = createMlpParams(SIGMOID_MLP, createRng(seed));
      const variables = paramList(params);
      const optimizer = sgd(0.01);
      const sample = (i: number, withLoss: boolean) =>
        tf.tidy(() => {
          const row = tf.tensor1d([i], 'int32');
          const { grads, loss } = sampleGradients(params, SIGMOID_MLP, 'mse', tf.gather(x, row) as tf.Tensor2D, tf.gather(y, row) as tf.Tensor2D, withLoss);
          optimizer.applyGradients(variables.map(([key, variable]) => ({ name: variable.name, tensor: grads[key]! })));
          loss?.dataSync();
        });
      sample(0, true); // warm-up
      const tensorsBefore = tf.memory().numTensors;
      const clock = stopwatch();
      let samples = 0;
      for (let i = 0; i < x.shape[0]; i++) {
        sample(i, i % 10 === 0); // the lessons read the loss every 10 samples
        samples++;
        if (clock.seconds() > maxSeconds) break;
      }
      await params.w1.data();
      const seconds = clock.seconds();
      const tensorsAfter = tf.memory().numTensors;
      tf.dispose([x, y]);
      disposeMlpParams(params);
      optimizer.dispose();
      return { workload: this.name, unit: 'samples/s', throughput: samples / seconds, samples, seconds, cpuSeconds: clock.cpuSeconds(), tensorsBefore, tensorsAfter };
    },
  },
  lenetWorkload('LeNet (sigmoid, avg pool), SGD, batch 256', () => tf.sequential({ layers: [
    tf.layers.conv2d({ filters: 6, kernelSize: 5, padding: 'same', activation: 'sigmoid', inputShape: [28, 28, 1], kernelInitializer: glorot() }),
    tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }),
    tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'sigmoid', kernelInitializer: glorot() }),
    tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 120, activation: 'sigmoid', kernelInitializer: glorot() }),
    tf.layers.dense({ units: 84, activation: 'sigmoid', kernelInitializer: glorot() }),
    tf.layers.dense({ units: 10, kernelInitializer: glorot() }),
  ] })),
  // What lessons 7 and 8 build: the same network, whose convolutions skip the images' gradient (src/models/lazy-conv2d.ts).
  lenetWorkload("LeNet (sigmoid, avg pool), SGD, batch 256 [the course's buildLeNet, lessons 7-8]", () =>
    buildLeNet({ activation: 'sigmoid', pooling: 'average', rng: createRng(seed), name: 'lenet' })),
  operatorWorkload('matmul 1024×1024 · 1024×1024', 2 * 1024 ** 3, () => {
    const a = tf.randomUniform([1024, 1024], -1, 1, 'float32', 1);
    const b = tf.randomUniform([1024, 1024], -1, 1, 'float32', 2);
    return { op: () => tf.matMul(a, b), inputs: [a, b] };
  }),
  operatorWorkload('conv2d 64×28×28×16 ⊛ 3×3×16×32', 2 * 64 * 28 * 28 * 32 * 3 * 3 * 16, () => {
    const x = tf.randomUniform([64, 28, 28, 16], -1, 1, 'float32', 1);
    const w = tf.randomUniform([3, 3, 16, 32], -1, 1, 'float32', 2);
    return { op: () => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), inputs: [x, w] };
  }),
];

/** LeNet on all of MNIST's training images in batches of 256, SGD with the seed's learning rate 0.9. */
function lenetWorkload(name: string, makeModel: () => tf.Sequential): Workload {
  return {
    name,
    unit: 'samples/s',
    async run(maxSeconds) {
      const { x, y } = mnistTrain(60000, [28, 28, 1]);
      const model = makeModel();
      const optimizer = tf.train.sgd(0.9);
      const result = await trainLoop(name, model, optimizer, softmaxCrossEntropy, x, y, 256, maxSeconds);
      tf.dispose([x, y]); model.dispose(); optimizer.dispose();
      return result;
    },
  };
}

/** The seeds' 784-250-200-10 ReLU MLP, one epoch of MNIST in batches of 64, with the given optimizer. */
function mlpWorkload(name: string, makeOptimizer: () => tf.Optimizer): Workload {
  return {
    name,
    unit: 'samples/s',
    async run(maxSeconds) {
      const { x, y } = mnistTrain(60000, [784]);
      const model = tf.sequential({ layers: [
        tf.layers.dense({ units: 250, activation: 'relu', inputShape: [784], kernelInitializer: glorot() }),
        tf.layers.dense({ units: 200, activation: 'relu', kernelInitializer: glorot() }),
        tf.layers.dense({ units: 10, kernelInitializer: glorot() }),
      ] });
      const optimizer = makeOptimizer();
      const result = await trainLoop(name, model, optimizer, softmaxCrossEntropy, x, y, 64, maxSeconds);
      tf.dispose([x, y]); model.dispose(); optimizer.dispose();
      return result;
    },
  };
}

/** Repeats one operator for about `maxSeconds` (at most 2 s here: it only needs a stable rate). */
function operatorWorkload(name: string, flops: number, make: () => { op: () => tf.Tensor; inputs: tf.Tensor[] }): Workload {
  return {
    name,
    unit: 'GFLOP/s',
    async run(maxSeconds) {
      const { op, inputs } = make();
      op().dispose(); // warm-up
      const tensorsBefore = tf.memory().numTensors;
      const clock = stopwatch();
      let runs = 0;
      let last: tf.Tensor | undefined;
      while (clock.seconds() < Math.min(2, maxSeconds) || runs < 2) {
        last?.dispose();
        last = op();
        runs++;
      }
      // Wait for the last result only: reading every one would copy it out (4 MB for the matmul),
      // which PyTorch's loop does not do. Backends run ops in order, so this waits for all of them.
      await last!.data();
      last!.dispose();
      const seconds = clock.seconds();
      const tensorsAfter = tf.memory().numTensors;
      tf.dispose(inputs);
      return {
        workload: name, unit: 'GFLOP/s', throughput: (runs * flops) / seconds / 1e9, samples: runs, seconds, cpuSeconds: clock.cpuSeconds(),
        tensorsBefore, tensorsAfter,
      };
    },
  };
}
