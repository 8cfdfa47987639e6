/**
 * A trained model as a probe's answer: its architecture and weights as plain data, so that the
 * judge rebuilds the model in its own process and tests it there, on data the student's process
 * never sees. What the student's process could fake (its `predict`, TensorFlow.js itself) stays behind.
 */
import * as tf from '@tensorflow/tfjs';
import { manifestByteLength } from '../checkpoints/file-io-handler';
import { CheckFailed, describeValue, expect } from './checks';

export interface ModelAnswer {
  topology: unknown;
  weightSpecs: unknown;
  /** The weights' bytes, base64. */
  weights: string;
}

/** Saves the student's model (`name` says which, in reasons) as an answer. */
export async function modelAnswer(name: string, model: unknown): Promise<ModelAnswer> {
  expect(model instanceof tf.LayersModel, `${name} should be a tf.LayersModel, but it is ${describeValue(model)}`);
  let saved: tf.io.ModelArtifacts | undefined;
  try {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
  } catch (error) {
    throw new CheckFailed(`${name} could not be saved (${(error as Error).message?.split('\n')[0]}): build it from TensorFlow.js's own layers`);
  }
  const weights = tf.io.concatenateArrayBuffers(saved!.weightData as ArrayBuffer | ArrayBuffer[]);
  return { topology: saved!.modelTopology, weightSpecs: saved!.weightSpecs, weights: Buffer.from(weights).toString('base64') };
}

/** Rebuilds a model from an answer, or fails the check saying what is wrong with it. */
export async function loadModelAnswer(name: string, answer: unknown): Promise<tf.LayersModel> {
  const { topology, weightSpecs, weights } = (answer ?? {}) as Partial<ModelAnswer>;
  expect(typeof topology === 'object' && topology !== null && Array.isArray(weightSpecs) && typeof weights === 'string', `${name} did not arrive as a saved model`);
  const weightData = new Uint8Array(Buffer.from(weights, 'base64')).buffer;
  let expectedBytes: number;
  try {
    expectedBytes = manifestByteLength(weightSpecs as tf.io.WeightsManifestEntry[]);
  } catch (error) {
    throw new CheckFailed(`${name}'s weights could not be read (${(error as Error).message})`);
  }
  expect(weightData.byteLength === expectedBytes, `${name}'s weights are ${weightData.byteLength} bytes, but its architecture needs ${expectedBytes}`);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology as object, weightSpecs: weightSpecs as tf.io.WeightsManifestEntry[], weightData }));
  } catch (error) {
    throw new CheckFailed(`${name} could not be rebuilt from its saved form (${(error as Error).message?.split('\n')[0]}): build it from TensorFlow.js's own layers`);
  }
}
