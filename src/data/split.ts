/**
 * Seeded random splits of an image set, e.g. a validation set held out of the
 * training set. The split depends only on the seed, so a lesson that is run
 * again validates on exactly the same images.
 */
import { Rng, shuffledIndices } from '../random';
import { ImageSet, PIXELS } from './mnist';

/** A copy of the images at `indices`, in that order. */
export function selectImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const images = new Uint8Array(indices.length * PIXELS);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i];
    if (!(from >= 0 && from < set.count)) throw new RangeError(`Index ${from} is outside the set of ${set.count} images.`);
    images.set(set.images.subarray(from * PIXELS, (from + 1) * PIXELS), i * PIXELS);
    labels[i] = set.labels[from];
  }
  return { images, labels, count: indices.length };
}

/**
 * Disjoint random parts of `set` with the given sizes (their sum may be less
 * than the set: the rest is left out). One shuffle, then consecutive slices.
 */
export function randomSplit(set: ImageSet, sizes: readonly number[], rng: Rng): ImageSet[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total > set.count) throw new RangeError(`Cannot take ${sizes.join(' + ')} = ${total} images from a set of ${set.count}.`);
  const order = shuffledIndices(set.count, rng);
  let start = 0;
  return sizes.map((size) => {
    const part = selectImages(set, order.subarray(start, start + size));
    start += size;
    return part;
  });
}
