/**
 * `sgd(learningRate)`, a drop-in for `tf.train.sgd(learningRate)`: the same
 * optimizer (θ ← θ − η g, lesson 1's update) with the same signature, for
 * lessons 3 and 4, which apply gradients they computed by hand.
 *
 * The difference is speed. tf.train.sgd's update is two passes over each
 * weight tensor (η·g into a fresh tensor, then θ plus it); with one image per
 * step those passes over the 784×200 first layer are a large part of the step.
 * Where the backend has the course's fused kernel (kernels/sgd-update.ts) the
 * update is one pass, rounding as the two ops do, so the weights come out the
 * same to the last bit (tests/sgd.test.ts); elsewhere it is tf.train.sgd's own.
 */
import * as tf from '@tensorflow/tfjs';
import { SGD_UPDATE } from '../kernels/sgd-update';

/** A named tensor, as tf.Optimizer's applyGradients takes them (not re-exported by tfjs). */
type NamedTensor = { name: string; tensor: tf.Tensor };

export class SgdOptimizer extends tf.SGDOptimizer {
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    if (tf.getKernel(SGD_UPDATE, tf.getBackend()) === undefined) {
      super.applyGradients(variableGradients);
      return;
    }
    const gradients = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    for (const { name, tensor: gradient } of gradients) {
      if (gradient == null) continue;
      const param = tf.engine().registeredVariables[name];
      tf.tidy(() => param.assign(tf.engine().runKernel(SGD_UPDATE, { param, gradient }, { learningRate: this.learningRate }) as tf.Tensor));
    }
    this.incrementIterations();
  }
}

/** SGD with the fused update where the backend has it; a drop-in for tf.train.sgd(learningRate). */
export function sgd(learningRate: number): SgdOptimizer {
  return new SgdOptimizer(learningRate);
}
