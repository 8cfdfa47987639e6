/**
 * Changing an optimizer's learning rate between epochs. TensorFlow.js's
 * optimizers read their `learningRate` field at every step but declare it
 * protected, and offer no setter; creating a new optimizer instead would throw
 * away Adam's moment estimates. So we set the field, after checking it exists.
 */
import * as tf from '@tensorflow/tfjs';

export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const fields = optimizer as unknown as { learningRate?: unknown };
  if (typeof fields.learningRate !== 'number') {
    throw new Error(`${optimizer.getClassName()} has no numeric learningRate field to set.`);
  }
  fields.learningRate = learningRate;
}

export function getLearningRate(optimizer: tf.Optimizer): number {
  const value = (optimizer as unknown as { learningRate?: unknown }).learningRate;
  if (typeof value !== 'number') throw new Error(`${optimizer.getClassName()} has no numeric learningRate field.`);
  return value;
}

/** Exponential decay per epoch: lr₀·factor^epoch (epoch counted from 0). */
export function exponentialDecay(initial: number, factor: number): (epoch: number) => number {
  return (epoch) => initial * factor ** epoch;
}
