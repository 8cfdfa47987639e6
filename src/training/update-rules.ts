/**
 * Update rules that apply given gradients to variables: plain SGD and Adam,
 * written out so that the arithmetic is on the page and each step costs as
 * few kernel calls as possible (one-sample training runs 180,000 of them).
 * They compute what tf.train.sgd and tf.train.adam compute, as
 * tests/update-rules.test.ts checks.
 */
import * as tf from '@tensorflow/tfjs';

export interface UpdateRule {
  readonly name: string;
  /** Moves each variable against its gradient; variables without a gradient are left alone. */
  apply(variables: Array<[string, tf.Variable]>, grads: Partial<Record<string, tf.Tensor>>): void;
  /** Frees the rule's state (Adam's moment estimates). */
  dispose(): void;
}

/** θ ← θ − η g */
export function sgdRule(learningRate: number): UpdateRule {
  return {
    name: `SGD (lr ${learningRate})`,
    apply(variables, grads) {
      tf.tidy(() => {
        for (const [key, v] of variables) {
          const g = grads[key];
          if (g) v.assign(v.sub(g.mul(learningRate)));
        }
      });
    },
    dispose() {},
  };
}

export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adam (Kingma & Ba, 2015) with PyTorch's defaults: lr 0.001, β1 0.9,
 * β2 0.999, ε 1e-8. For each parameter, after t steps:
 *
 *   m ← β1 m + (1 − β1) g          a running mean of the gradient (momentum)
 *   v ← β2 v + (1 − β2) g²         a running mean of its square
 *   θ ← θ − η · m̂ / (√v̂ + ε)      with m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ)
 *
 * The bias corrections are folded into two scalars, as PyTorch does, which
 * saves two passes over every weight matrix.
 */
export function adamRule(options: AdamOptions = {}): UpdateRule {
  const { learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = options;
  const moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  let t = 0;
  return {
    name: `Adam (lr ${learningRate})`,
    apply(variables, grads) {
      t += 1;
      const correction1 = 1 - beta1 ** t;
      const sqrtCorrection2 = Math.sqrt(1 - beta2 ** t);
      // η m̂ / (√v̂ + ε) = (η √(1 − β2ᵗ) / (1 − β1ᵗ)) · m / (√v + ε √(1 − β2ᵗ))
      const stepSize = (learningRate * sqrtCorrection2) / correction1;
      const scaledEpsilon = epsilon * sqrtCorrection2;
      tf.tidy(() => {
        for (const [key, p] of variables) {
          const g = grads[key];
          if (!g) continue;
          let state = moments.get(key);
          if (!state) {
            state = tf.tidy(() => ({ m: tf.variable(tf.zerosLike(p), false), v: tf.variable(tf.zerosLike(p), false) }));
            moments.set(key, state);
          }
          state.m.assign(state.m.mul(beta1).add(g.mul(1 - beta1)));
          state.v.assign(state.v.mul(beta2).add(g.square().mul(1 - beta2)));
          p.assign(p.sub(state.m.div(state.v.sqrt().add(scaledEpsilon)).mul(stepSize)));
        }
      });
    },
    dispose() {
      for (const { m, v } of moments.values()) tf.dispose([m, v]);
      moments.clear();
    },
  };
}
