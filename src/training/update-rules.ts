/**
 * Update rules that apply given gradients to variables: plain SGD and Adam,
 * written out so that the arithmetic is on the page and each step costs as
 * few kernel calls as possible (one-sample training runs 180,000 of them).
 * They compute what tf.train.sgd and tf.train.adam compute, as
 * tests/update-rules.test.ts checks.
 */
import * as tf from '@tensorflow/tfjs';
import { SGD_UPDATE } from '../kernels/sgd_update';
import { PYTORCH_ADAM_DEFAULTS, AdamMoments, AdamOptions, adamCoefficients, applyAdamUpdate, createMoments } from './adam';

export type { AdamOptions };

export interface UpdateRule {
  readonly name: string;
  /** Moves each variable against its gradient; variables without a gradient are left alone. */
  apply(variables: Array<[string, tf.Variable]>, grads: Partial<Record<string, tf.Tensor>>): void;
  /** Frees the rule's state (Adam's moment estimates). */
  dispose(): void;
}

/** θ − η g: one pass where the backend has the course's fused kernel (kernels/sgd_update.ts), the same numbers either way. */
function sgdStep(param: tf.Tensor, gradient: tf.Tensor, learningRate: number): tf.Tensor {
  if (tf.getKernel(SGD_UPDATE, tf.getBackend()) === undefined) return param.sub(gradient.mul(learningRate));
  return tf.engine().runKernel(SGD_UPDATE, { param, gradient }, { learningRate }) as tf.Tensor;
}

/** θ ← θ − η g */
export function sgdRule(learningRate: number): UpdateRule {
  return {
    name: `SGD (lr ${learningRate})`,
    apply(variables, grads) {
      tf.tidy(() => {
        for (const [key, v] of variables) {
          const g = grads[key];
          if (g) v.assign(sgdStep(v, g, learningRate));
        }
      });
    },
    dispose() {},
  };
}

/**
 * Adam (Kingma & Ba, 2015) with PyTorch's defaults: lr 0.001, β1 0.9,
 * β2 0.999, ε 1e-8. For each parameter, after t steps:
 *
 *   m ← β1 m + (1 − β1) g          a running mean of the gradient (momentum)
 *   v ← β2 v + (1 − β2) g²         a running mean of its square
 *   θ ← θ − η · m̂ / (√v̂ + ε)      with m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ)
 *
 * The arithmetic is in adam.ts (the coefficients) and kernels/adam_update.ts
 * (one pass over each parameter, instead of a dozen tfjs kernels).
 */
export function adamRule(options: AdamOptions = {}): UpdateRule {
  const settings = { ...PYTORCH_ADAM_DEFAULTS, ...options };
  const moments = new Map<string, AdamMoments>();
  let t = 0;
  return {
    name: `Adam (lr ${settings.learningRate})`,
    apply(variables, grads) {
      t += 1;
      const coefficients = adamCoefficients(settings, t);
      for (const [key, p] of variables) {
        const g = grads[key];
        if (!g) continue;
        let state = moments.get(key);
        if (!state) {
          state = createMoments(p);
          moments.set(key, state);
        }
        applyAdamUpdate(p, state, g, coefficients);
      }
    },
    dispose() {
      for (const { m, v } of moments.values()) tf.dispose([m, v]);
      moments.clear();
    },
  };
}
