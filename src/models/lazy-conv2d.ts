/**
 * A 2-D convolution layer that computes only the gradients training asks for.
 *
 * tf.layers.conv2d calls TensorFlow.js's fused convolution (convolution, bias
 * and, for ReLU-like activations, the activation in one kernel). When the
 * activation cannot be fused in (sigmoid, as in the classic LeNet), the fused
 * op is used even while gradients are being recorded, and its gradient
 * function computes the gradient of every input at once: for a network's
 * first layer that includes the gradient with respect to the images, which
 * nothing uses.
 *
 * While gradients are being recorded, this layer runs convolution, bias and
 * activation as three ops instead. Backpropagation then asks each op only for
 * the gradients on the path to the weights, and skips the images' gradient.
 * The results differ from the fused op's only by float rounding (the bias is
 * added in a separate pass). Outside training (predict, evaluate) it is
 * tf.layers.conv2d exactly, and saved models call it "Conv2D": any
 * TensorFlow.js program (the course site's demo included) loads it as an
 * ordinary convolution layer that predicts the very same numbers.
 */
import * as tf from '@tensorflow/tfjs';
import type { Conv2D } from '@tensorflow/tfjs-layers/dist/layers/convolutional';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';

type Conv2DArgs = Parameters<typeof tf.layers.conv2d>[0];

/** The class behind tf.layers.conv2d (tfjs-layers does not export it). */
const Conv2DLayer = tf.layers.conv2d({ filters: 1, kernelSize: 1 }).constructor as typeof Conv2D;

/** Convolution, bias and activation as three ops while gradients are recorded, tf.layers.conv2d's fused op otherwise. */
class Conv2DUnfusedWhileTraining extends Conv2DLayer {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const recordingGradients = tf.engine().state.gradientDepth > 0;
    if (!recordingGradients) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const kernel = this.kernel.read() as tf.Tensor4D;
      const strides = this.strides as [number, number];
      const dilations = this.dilationRate as [number, number];
      const convolved = tf.conv2d(x, kernel, strides, this.padding as 'same' | 'valid', 'NHWC', dilations);
      const biased = this.bias ? tf.add(convolved, this.bias.read()) : convolved;
      return this.activation.apply(biased);
    });
  }
}

/** tf.layers.conv2d (channels last) with the same arguments, whose backward pass skips gradients nobody needs. */
export function conv2d(args: Conv2DArgs): Conv2D {
  if (args.dataFormat === 'channelsFirst' || args.padding === 'causal') {
    throw new Error(`conv2d (src/models/lazy-conv2d.ts) supports channels-last data and 'same' or 'valid' padding, not ${args.dataFormat ?? ''} ${args.padding ?? ''}`);
  }
  return new Conv2DUnfusedWhileTraining(args);
}
