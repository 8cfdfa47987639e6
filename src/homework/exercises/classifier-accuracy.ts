/**
 * Lesson 5, a classifier to 97%: how its check takes the student's `myClassifier` (saved as data,
 * ../model-answer) and tests it, shared by the grader's hidden check and the student's self-check
 * (../self-check). The judge rebuilds the model from its weights, so that only the saved model, not
 * the student's process, decides.
 */
import * as tf from '@tensorflow/tfjs';
import { datasetFiles, ImageSet, imagesToTensor, labelsToTensor, NUM_CLASSES, PIXELS, readImageSet } from '../../data/mnist';
import { CheckFailed, expect } from '../checks';
import { loadModelAnswer, modelAnswer } from '../model-answer';
import type { ExerciseCheck } from '../self-check';
import { expectTensor } from '../tensor-checks';

/** Which images: MNIST's test set, or `count` training images from `from` on. */
export type Images = { set: 'test' } | { set: 'train'; from: number; count: number };

function imagesOf(images: Images): { set: ImageSet; name: string } {
  const files = datasetFiles('mnist');
  if (images.set === 'test') return { set: readImageSet(files.testImages, files.testLabels), name: 'the test images' };
  const all = readImageSet(files.trainImages, files.trainLabels);
  const { from, count } = images;
  const set = { images: all.images.subarray(from * PIXELS, (from + count) * PIXELS), labels: all.labels.subarray(from, from + count), count };
  return { set, name: `training images ${from} to ${from + count - 1}` };
}

/** The saved model; expected: the accuracy it needs on the images. */
export const classifierAccuracy: ExerciseCheck<tf.LayersModel, Images, number> = {
  answer: (myClassifier) => modelAnswer('myClassifier', myClassifier()),
  judge: async (images, needed, saved) => {
    const model = await loadModelAnswer('myClassifier', saved);
    const { set, name } = imagesOf(images);
    const [x, labels] = [imagesToTensor(set), labelsToTensor(set)];
    let accuracy: number;
    try {
      const predicted = tf.tidy(() => {
        let outputs: tf.Tensor;
        try {
          // Batches of 1000: predict's default of 32 would run 313 forward passes over the test set instead of 10.
          outputs = model.predict(x, { batchSize: 1000 }) as tf.Tensor;
        } catch (error) {
          throw new CheckFailed(`myClassifier cannot take ${name} as a [${set.count}, ${PIXELS}] tensor (${(error as Error).message.split('\n')[0]})`);
        }
        expectTensor(`myClassifier.predict(images)`, outputs, [set.count, NUM_CLASSES]);
        return outputs.argMax(1);
      });
      accuracy = tf.tidy(() => predicted.equal(labels).mean().dataSync()[0]);
      predicted.dispose();
    } finally {
      tf.dispose([x, labels]);
      model.dispose();
    }
    expect(accuracy >= needed, `myClassifier is right on ${(100 * accuracy).toFixed(2)}% of ${name}; ${Math.round(100 * needed)}% are needed`);
  },
};
