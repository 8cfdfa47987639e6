/**
 * Saving and loading TensorFlow.js models as files, in TensorFlow.js's own
 * format: a folder with `model.json` (the architecture, plus a `weightsManifest`
 * that lists the weights and the file(s) holding them, by paths relative to
 * model.json) and a binary weights file. It is the format `tf.loadLayersModel`
 * reads over HTTP in a browser, so a folder saved here can be served as is.
 *
 * `@tensorflow/tfjs` alone has no file-system handler (tfjs-node's `file://`
 * needs the native backend), so this is one: `model.save(fileSystemHandler(dir))`
 * and `tf.loadLayersModel(fileSystemHandler(dir))`.
 *
 * Saving never spoils the checkpoint already in the folder. model.json is the
 * commit point: the new weights go to a new file named after a hash of its
 * content, written atomically (src/atomic-write.ts); only then is
 * model.json atomically replaced by one that points to it, and only after that
 * is the old weights file removed. A crash before the model.json swap leaves
 * the old model.json and its old weights, both whole; a crash after it leaves
 * the new pair. Loading checks that each weights file is there and has exactly
 * the length the manifest describes, and otherwise names the file at fault.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { DataFileError } from '../errors';
import { syncDirectory, TEMP_PREFIX, writeFileAtomic } from '../atomic-write';

export const MODEL_JSON = 'model.json';
const WEIGHTS_FILE = /^weights\.[0-9a-f]+\.bin$/;

export interface FileSystemHandlerOptions {
  /** Called while the weights file is being written: (bytes written, total bytes). */
  onWeightsProgress?: (written: number, total: number) => void;
}

export function fileSystemHandler(dir: string, options: FileSystemHandlerOptions = {}): tf.io.IOHandler {
  return {
    save: async (artifacts) => saveArtifacts(dir, artifacts, options),
    load: async () => loadArtifacts(dir),
  };
}

/** Bytes per element of each weight dtype, as stored (quantized weights use their quantized type). */
const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** How many bytes the weights in `specs` occupy in the weights file(s). */
export function manifestByteLength(specs: readonly tf.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const spec of specs) {
    const stored = spec.quantization?.dtype ?? spec.dtype;
    const bytes = BYTES_PER_ELEMENT[stored];
    if (bytes === undefined) throw new Error(`Weight "${spec.name}" has dtype ${stored}, which this handler does not store.`);
    total += spec.shape.reduce((a, b) => a * b, 1) * bytes;
  }
  return total;
}

function saveArtifacts(dir: string, artifacts: tf.io.ModelArtifacts, options: FileSystemHandlerOptions): tf.io.SaveResult {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error('fileSystemHandler saves Layers models (a JSON topology), not binary graph models.');
  }
  const weights = new Uint8Array(artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0));
  const weightsName = `weights.${createHash('sha256').update(weights).digest('hex').slice(0, 16)}.bin`;
  const manifest: tf.io.WeightsManifestConfig = [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }];
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: manifest,
  };
  if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  const json = JSON.stringify(modelJson);

  mkdirSync(dir, { recursive: true });
  // 1. The new weights, under a new name: the old checkpoint is not touched.
  const onWeightsProgress = options.onWeightsProgress;
  writeFileAtomic(join(dir, weightsName), weights, { onProgress: onWeightsProgress && ((written) => onWeightsProgress(written, weights.byteLength)) });
  // 2. The commit point: model.json now describes the new weights.
  writeFileAtomic(join(dir, MODEL_JSON), json);
  // 3. Only now may the old weights (and leftovers of crashed saves) go.
  for (const name of readdirSync(dir)) {
    if ((WEIGHTS_FILE.test(name) && name !== weightsName) || name.startsWith(TEMP_PREFIX)) unlinkSync(join(dir, name));
  }
  syncDirectory(dir);

  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: Buffer.byteLength(JSON.stringify(artifacts.modelTopology)),
      weightSpecsBytes: Buffer.byteLength(JSON.stringify(artifacts.weightSpecs ?? [])),
      weightDataBytes: weights.byteLength,
    },
  };
}

function readModelJson(dir: string): tf.io.ModelJSON {
  const file = join(dir, MODEL_JSON);
  if (!existsSync(file)) {
    throw new DataFileError(file, 'does not exist, so there is no checkpoint in this folder.', 'check the path, or save a model there first.');
  }
  const text = readFileSync(file, 'utf8');
  if (text.length === 0) throw new DataFileError(file, 'is empty (0 bytes).');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DataFileError(file, `is not valid JSON (${text.length} bytes; truncated or corrupted?).`);
  }
  const json = parsed as Partial<tf.io.ModelJSON> | null;
  if (typeof json !== 'object' || json === null || typeof json.modelTopology !== 'object' || json.modelTopology === null) {
    throw new DataFileError(file, 'has no "modelTopology": it is not a TensorFlow.js model.json.');
  }
  if (json.weightsManifest !== undefined && !Array.isArray(json.weightsManifest)) {
    throw new DataFileError(file, '"weightsManifest" is not a list of weight groups.');
  }
  return json as tf.io.ModelJSON;
}

/** Reads every weights file the manifest names, checking that each group has exactly the bytes its specs need. */
function readWeights(dir: string, manifest: tf.io.WeightsManifestConfig): [tf.io.WeightsManifestEntry[], ArrayBuffer] {
  const modelFile = join(dir, MODEL_JSON);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of manifest) {
    let groupBytes = 0;
    for (const path of group.paths) {
      const file = join(dir, path);
      if (isAbsolute(path) || normalize(path).startsWith('..')) {
        throw new DataFileError(modelFile, `lists the weights file "${path}", which is not inside the checkpoint folder.`);
      }
      if (!existsSync(file)) {
        throw new DataFileError(file, `is missing; ${modelFile} lists it as a weights file.`, 'save the checkpoint again, or restore the file.');
      }
      const bytes = readFileSync(file);
      groupBytes += bytes.length;
      buffers.push(bytes);
    }
    const expected = manifestByteLength(group.weights);
    if (groupBytes !== expected) {
      const file = join(dir, group.paths[group.paths.length - 1] ?? '(no file)');
      const what = groupBytes < expected ? 'truncated' : 'longer than expected';
      throw new DataFileError(
        file,
        `holds ${groupBytes} bytes, but ${modelFile} describes ${expected} bytes of weights: the file is ${what} or belongs to another model.`,
        'save the checkpoint again, or load an earlier one.',
      );
    }
    specs.push(...group.weights);
  }
  const all = Buffer.concat(buffers);
  return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer];
}

async function loadArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const json = readModelJson(dir);
  return tf.io.getModelArtifactsForJSON(json, async (manifest) => readWeights(dir, manifest));
}

