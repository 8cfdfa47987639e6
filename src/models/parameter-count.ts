/**
 * Counting a network's parameters. A dense layer from `in` to `out` units holds
 * an in×out weight matrix and one bias per output unit: in·out + out numbers.
 * Counting them by formula and comparing with what TensorFlow.js reports is a
 * quick check that the network is the one we meant to build.
 */
import * as tf from '@tensorflow/tfjs';

/** Parameters of one dense layer: weights in·out plus biases out. */
export function denseParameterCount(inputs: number, outputs: number): number {
  return inputs * outputs + outputs;
}

/** Parameters per layer of a multilayer perceptron with the given layer widths, e.g. [784, 250, 200, 10]. */
export function mlpParameterCounts(widths: readonly number[]): number[] {
  if (widths.length < 2) throw new RangeError(`An MLP needs at least an input and an output width; got [${widths.join(', ')}].`);
  return widths.slice(1).map((out, i) => denseParameterCount(widths[i], out));
}

export interface LayerCount {
  name: string;
  /** Output shape without the batch dimension, e.g. "250". */
  outputShape: string;
  /** Shapes of the layer's weight tensors, e.g. ["784×250", "250"]. */
  weightShapes: string[];
  parameters: number;
}

/** What TensorFlow.js says each layer holds (the same numbers as `model.summary()`). */
export function layerParameterCounts(model: tf.LayersModel): LayerCount[] {
  return model.layers.map((layer) => {
    const shape = layer.outputShape as (number | null)[];
    return {
      name: layer.name,
      outputShape: shape.slice(1).join('×'),
      weightShapes: layer.weights.map((w) => w.shape.join('×')),
      parameters: layer.countParams(),
    };
  });
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
