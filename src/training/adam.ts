/**
 * Adam, as lesson 4 explains it, for lessons 4 to 7.
 *
 * `adam(learningRate)` is a drop-in for `tf.train.adam(learningRate)`: the
 * same algorithm with the same defaults (β1 0.9, β2 0.999, ε 1e-7), usable
 * with `optimizer.minimize`, `applyGradients`, `model.compile` and
 * `setLearningRate`. (Lesson 4 passes PyTorch's ε = 1e-8, as its seed does.)
 * The difference is speed. tf.train.adam composes each parameter's update
 * from about a dozen element-wise tfjs kernels; ours runs one kernel per
 * parameter (kernels/adam-update.ts), a single pass over the weights.
 * tests/adam.test.ts checks that both move the weights the same way.
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, AdamUpdateAttrs } from '../kernels/adam-update';

/** A named tensor, as tf.Optimizer's applyGradients, getWeights and setWeights take them (not re-exported by tfjs). */
type NamedTensor = { name: string; tensor: tf.Tensor };

export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** PyTorch's defaults, which the seeds use. */
export const PYTORCH_ADAM_DEFAULTS: Required<AdamOptions> = { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
/** tf.train.adam's: ε is the float32 backends' epsilon. */
export const TFJS_ADAM_DEFAULTS: Required<AdamOptions> = { ...PYTORCH_ADAM_DEFAULTS, epsilon: 1e-7 };

/** A parameter's running moment estimates: m for the gradient, v for its square. */
export interface AdamMoments {
  m: tf.Variable;
  v: tf.Variable;
}

export function createMoments(param: tf.Tensor): AdamMoments {
  return tf.tidy(() => ({ m: tf.variable(tf.zerosLike(param), false), v: tf.variable(tf.zerosLike(param), false) }));
}

/**
 * The coefficients of step t (counted from 1). Adam divides m by (1 − β1ᵗ) and
 * v by (1 − β2ᵗ) to correct their bias towards 0 early on; as PyTorch does, we
 * fold both corrections into two scalars instead of two passes over the weights:
 *
 *   η m̂ / (√v̂ + ε) = (η √(1 − β2ᵗ) / (1 − β1ᵗ)) · m / (√v + ε √(1 − β2ᵗ))
 */
export function adamCoefficients(options: Required<AdamOptions>, t: number): AdamUpdateAttrs {
  const { learningRate, beta1, beta2, epsilon } = options;
  const sqrtCorrection2 = Math.sqrt(1 - beta2 ** t);
  return { beta1, beta2, stepSize: (learningRate * sqrtCorrection2) / (1 - beta1 ** t), epsilon: epsilon * sqrtCorrection2 };
}

/** The update with tfjs ops, for backends without the fused kernel (tfjs-node). */
function composedUpdate(param: tf.Tensor, { m, v }: AdamMoments, g: tf.Tensor, c: AdamUpdateAttrs): tf.Tensor[] {
  const newM = m.mul(c.beta1).add(g.mul(1 - c.beta1));
  const newV = v.mul(c.beta2).add(g.square().mul(1 - c.beta2));
  return [param.sub(newM.div(newV.sqrt().add(c.epsilon)).mul(c.stepSize)), newM, newV];
}

/** Moves `param` one Adam step along `gradient` and updates its moments. */
export function applyAdamUpdate(param: tf.Variable, moments: AdamMoments, gradient: tf.Tensor, coefficients: AdamUpdateAttrs): void {
  tf.tidy(() => {
    const fused = tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined;
    const [newParam, newM, newV] = fused
      ? (tf.engine().runKernel(ADAM_UPDATE, { param, m: moments.m, v: moments.v, gradient }, { ...coefficients }) as tf.Tensor[])
      : composedUpdate(param, moments, gradient, coefficients);
    param.assign(newParam);
    moments.m.assign(newM);
    moments.v.assign(newV);
  });
}

/**
 * A tf.Optimizer running Adam with the fused update. Its weights (for
 * getWeights/setWeights) are laid out as tf.train.adam's: the iteration count,
 * then every parameter's m, then every parameter's v.
 */
export class AdamOptimizer extends tf.Optimizer {
  static className = 'CourseAdam';
  /** Read at every step; lessons change it between epochs with setLearningRate. */
  protected learningRate: number;
  private readonly options: Omit<Required<AdamOptions>, 'learningRate'>;
  private readonly moments = new Map<string, AdamMoments>();

  constructor(options: AdamOptions = {}) {
    super();
    const { learningRate, ...rest } = { ...TFJS_ADAM_DEFAULTS, ...options };
    this.learningRate = learningRate;
    this.options = rest;
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const gradients = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const coefficients = adamCoefficients({ ...this.options, learningRate: this.learningRate }, this.iterations + 1);
    for (const { name, tensor: gradient } of gradients) {
      if (gradient == null) continue;
      const param = tf.engine().registeredVariables[name];
      let moments = this.moments.get(name);
      if (!moments) {
        moments = createMoments(param);
        this.moments.set(name, moments);
      }
      applyAdamUpdate(param, moments, gradient, coefficients);
    }
    this.incrementIterations();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const entries = [...this.moments.entries()];
    return [
      await this.saveIterations(),
      ...entries.map(([name, { m }]) => ({ name: `${name}/m`, tensor: m })),
      ...entries.map(([name, { v }]) => ({ name: `${name}/v`, tensor: v })),
    ];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const half = rest.length / 2;
    this.disposeMoments();
    for (let i = 0; i < half; i++) {
      const name = rest[i].name.replace(/\/m$/, '');
      // A variable shares its initial value's data (and keeps it alive), as tf.train.adam's setWeights does.
      this.moments.set(name, { m: tf.variable(rest[i].tensor, false), v: tf.variable(rest[half + i].tensor, false) });
    }
  }

  override dispose(): void {
    super.dispose();
    this.disposeMoments();
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, ...this.options };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config as AdamOptions);
  }

  private disposeMoments(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }
}
tf.serialization.registerClass(AdamOptimizer);

/** Adam with the fused update; a drop-in for tf.train.adam(learningRate, beta1, beta2, epsilon). */
export function adam(
  learningRate = TFJS_ADAM_DEFAULTS.learningRate, beta1 = TFJS_ADAM_DEFAULTS.beta1, beta2 = TFJS_ADAM_DEFAULTS.beta2, epsilon = TFJS_ADAM_DEFAULTS.epsilon,
): AdamOptimizer {
  return new AdamOptimizer({ learningRate, beta1, beta2, epsilon });
}
