import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemHandler, manifestByteLength, MODEL_JSON } from '../src/checkpoints/file-io-handler';
import { TEMP_PREFIX } from '../src/atomic-write';
import { serveFolder } from '../src/checkpoints/local-fetch';

const root = mkdtempSync(join(tmpdir(), 'checkpoint-io-'));
let counter = 0;
const freshDir = () => join(root, `ckpt-${counter++}`);

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function model(seed: number, inputs = 6): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 300, inputShape: [inputs], activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed }) }),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.heNormal({ seed: seed + 1 }), biasInitializer: tf.initializers.constant({ value: seed / 100 }) }),
    ],
  });
}

function weightsOf(net: tf.LayersModel): Float32Array[] {
  return net.getWeights().map((w) => w.dataSync() as Float32Array);
}

function weightFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.bin'));
}

describe('fileSystemHandler', () => {
  it('saves and loads a model with identical weights and predictions', async () => {
    const dir = freshDir();
    const original = model(1);
    await original.save(fileSystemHandler(dir));
    const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
    const a = weightsOf(original);
    const b = weightsOf(loaded);
    expect(b.length).toBe(a.length);
    a.forEach((w, i) => expect(Array.from(b[i])).toEqual(Array.from(w)));
    const x = tf.randomNormal([5, 6], 0, 1, 'float32', 7);
    const pa = (original.predict(x) as tf.Tensor).dataSync();
    const pb = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(pb)).toEqual(Array.from(pa));
  });

  it('writes standard TensorFlow.js files: model.json with a relative weightsManifest path and one weights file', async () => {
    const dir = freshDir();
    const net = model(2);
    await net.save(fileSystemHandler(dir));
    const json = JSON.parse(readFileSync(join(dir, MODEL_JSON), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name).toBe('Sequential');
    expect(json.weightsManifest).toHaveLength(1);
    const [path] = json.weightsManifest[0].paths;
    expect(path).toMatch(/^weights\.[0-9a-f]+\.bin$/);
    expect(readFileSync(join(dir, path)).length).toBe(manifestByteLength(json.weightsManifest[0].weights));
    expect(manifestByteLength(json.weightsManifest[0].weights)).toBe(net.countParams() * 4);
  });

  it('loads through tf.loadLayersModel over "HTTP", the way a browser does', async () => {
    const dir = freshDir();
    const original = model(3);
    await original.save(fileSystemHandler(dir));
    // Serve the checkpoint folder at http://course.local/models/mlp/ and load it as a browser would.
    const { fetch: fetchFunc, requested } = serveFolder('http://course.local/models/mlp/', dir);
    const loaded = await tf.loadLayersModel('http://course.local/models/mlp/model.json', { fetchFunc });
    expect(requested[0]).toBe('http://course.local/models/mlp/model.json');
    expect(requested[1]).toMatch(/^http:\/\/course\.local\/models\/mlp\/weights\.[0-9a-f]+\.bin$/);
    weightsOf(original).forEach((w, i) => expect(Array.from(weightsOf(loaded)[i])).toEqual(Array.from(w)));
  });

  it('keeps the previous checkpoint loadable when a save fails half-way through the weights', async () => {
    const dir = freshDir();
    const first = model(4, 1000); // 1000·300 weights: more than one 1 MiB chunk, so the write is cut mid-file
    await first.save(fileSystemHandler(dir));
    const before = readdirSync(dir).sort();

    const second = model(40, 1000);
    let chunks = 0;
    const failing = fileSystemHandler(dir, {
      onWeightsProgress: (written, total) => {
        chunks++;
        if (written < total) throw new Error('simulated crash: disk unplugged');
      },
    });
    await expect(second.save(failing)).rejects.toThrow('simulated crash');
    expect(chunks).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(before); // no half-written file left behind

    const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
    weightsOf(first).forEach((w, i) => expect(Array.from(weightsOf(loaded)[i])).toEqual(Array.from(w)));
  });

  it('ignores the leftovers of a hard crash (partial temp file, orphaned weights) and removes them on the next save', async () => {
    const dir = freshDir();
    const first = model(5);
    await first.save(fileSystemHandler(dir));
    // What a process killed mid-save can leave: a partly written temp file and a complete but uncommitted weights file.
    writeFileSync(join(dir, `${TEMP_PREFIX}abc123-weights.0123456789abcdef.bin`), Buffer.alloc(100));
    writeFileSync(join(dir, 'weights.fedcba9876543210.bin'), Buffer.alloc(64));

    const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
    weightsOf(first).forEach((w, i) => expect(Array.from(weightsOf(loaded)[i])).toEqual(Array.from(w)));

    const second = model(50);
    await second.save(fileSystemHandler(dir));
    expect(readdirSync(dir).filter((n) => n.startsWith(TEMP_PREFIX))).toEqual([]);
    expect(weightFiles(dir)).toHaveLength(1);
    const reloaded = await tf.loadLayersModel(fileSystemHandler(dir));
    weightsOf(second).forEach((w, i) => expect(Array.from(weightsOf(reloaded)[i])).toEqual(Array.from(w)));
  });

  it('names the weights file when it is missing', async () => {
    const dir = freshDir();
    await model(6).save(fileSystemHandler(dir));
    const file = join(dir, weightFiles(dir)[0]);
    unlinkSync(file);
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(`${file}: is missing; ${join(dir, MODEL_JSON)} lists it as a weights file.`);
  });

  it('names the weights file and both lengths when it is truncated', async () => {
    const dir = freshDir();
    const net = model(7);
    await net.save(fileSystemHandler(dir));
    const file = join(dir, weightFiles(dir)[0]);
    truncateSync(file, 1000);
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(
      `${file}: holds 1000 bytes, but ${join(dir, MODEL_JSON)} describes ${net.countParams() * 4} bytes of weights: the file is truncated`,
    );
  });

  it('names model.json when it is missing, empty or truncated', async () => {
    const dir = freshDir();
    const modelJson = join(dir, MODEL_JSON);
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(`${modelJson}: does not exist`);
    await model(8).save(fileSystemHandler(dir));
    const text = readFileSync(modelJson, 'utf8');
    writeFileSync(modelJson, text.slice(0, text.length / 2));
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(`${modelJson}: is not valid JSON`);
    writeFileSync(modelJson, '');
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(`${modelJson}: is empty (0 bytes).`);
    writeFileSync(modelJson, '{"weightsManifest": []}');
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(`${modelJson}: has no "modelTopology"`);
  });
});
