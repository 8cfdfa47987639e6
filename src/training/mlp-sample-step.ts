/**
 * One training step of a small MLP on one sample: hand-written backprop
 * (models/mlp-backprop.ts) followed by an update rule (update-rules.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { LossName, sampleGradients } from '../models/mlp-backprop';
import { MlpConfig, MlpParams, paramList } from '../models/small-mlp';
import { SampleStep } from './one-sample-training';
import { UpdateRule } from './update-rules';

export function mlpSampleStep(params: MlpParams, config: MlpConfig, loss: LossName, rule: UpdateRule): SampleStep {
  const variables = paramList(params);
  return (x, target, withLoss) =>
    tf.tidy(() => {
      const result = sampleGradients(params, config, loss, x, target, withLoss);
      rule.apply(variables, result.grads);
      return result.loss ? result.loss.dataSync()[0] : undefined;
    });
}
