/**
 * Turning a picture of a handwritten digit into an MNIST example. A model only
 * works on inputs that look like its training data, and MNIST digits are
 * white ink on black, their bounding box scaled to fit 20×20 pixels (keeping
 * the aspect ratio, with anti-aliasing), and placed in a 28×28 field so that
 * their centre of mass sits in the middle. A photo is dark ink on light,
 * unevenly lit paper, of any size, with the digit anywhere. The steps:
 *
 *   1. grayscale;
 *   2. invert, relative to the paper: ink = paper brightness − pixel, where the
 *      paper's brightness is the image's median (most of a photo is paper);
 *      faint differences (shadows, paper texture) are set to 0 and the rest is
 *      stretched so that the darkest ink becomes 255;
 *   3. crop to the bounding box of the ink;
 *   4. resize to fit 20×20, keeping the aspect ratio, and stretch the result so
 *      that its strongest pixel is 255 again, as in (almost) every MNIST digit
 *      (resampling averages thin strokes down, and a JPEG's ringing can make
 *      the darkest pixel of a photo a speck rather than the stroke);
 *   5. paste into 28×28 so that the centre of mass is at the centre.
 *
 * The result is 784 bytes like a row of the MNIST files, so the lessons turn it
 * into a tensor with the same `imagesToTensor` (÷255) that they train with.
 */
import sharp from 'sharp';
import { DataFileError } from '../errors';
import { GrayImage, readGrayImage } from './image-file';

export const FIELD = 28;
export const BOX = 20;
/** Ink fainter than this fraction of the darkest ink is treated as paper. */
export const INK_THRESHOLD = 0.25;

export interface PreprocessedDigit {
  /** 28×28 bytes, white (255) ink on black (0), like MNIST. */
  pixels: Uint8Array;
  /** The ink's bounding box in the original image. */
  crop: { left: number; top: number; width: number; height: number };
  /** The paper brightness that was taken as "no ink". */
  paper: number;
}

function median(values: Uint8Array): number {
  const counts = new Array(256).fill(0);
  for (const v of values) counts[v]++;
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += counts[v];
    if (seen * 2 >= values.length) return v;
  }
  return 255;
}

/** Step 2: ink strength in 0..255 (0 = paper), from a dark-on-light grayscale image. */
export function inkFromPaper(image: GrayImage): { ink: Uint8Array; paper: number } {
  const paper = median(image.pixels);
  let darkest = 0;
  for (const v of image.pixels) darkest = Math.max(darkest, paper - v);
  const ink = new Uint8Array(image.pixels.length);
  if (darkest <= 0) return { ink, paper };
  for (let i = 0; i < ink.length; i++) {
    const strength = Math.max(0, paper - image.pixels[i]) / darkest;
    ink[i] = strength < INK_THRESHOLD ? 0 : Math.round(((strength - INK_THRESHOLD) / (1 - INK_THRESHOLD)) * 255);
  }
  return { ink, paper };
}

/** Step 3: the smallest box holding every non-zero pixel, or undefined if there is none. */
export function inkBoundingBox(ink: Uint8Array, width: number, height: number) {
  let left = width, top = height, right = -1, bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] === 0) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
  }
  return right < 0 ? undefined : { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/** Centre of mass (x, y) of a width×height image, in pixel coordinates. */
export function centreOfMass(pixels: ArrayLike<number>, width: number, height: number): { x: number; y: number } {
  let mass = 0, sx = 0, sy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = pixels[y * width + x];
      mass += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return mass === 0 ? { x: (width - 1) / 2, y: (height - 1) / 2 } : { x: sx / mass, y: sy / mass };
}

/** Steps 1–5 for one image file. */
export async function preprocessDigitFile(file: string): Promise<PreprocessedDigit> {
  const image = await readGrayImage(file);
  const { ink, paper } = inkFromPaper(image);
  const crop = inkBoundingBox(ink, image.width, image.height);
  if (!crop) throw new DataFileError(file, 'shows no ink darker than the paper, so there is no digit to read.');

  // Step 4: the longer side becomes 20 pixels; sharp's resampling averages, which anti-aliases like MNIST's.
  const scale = BOX / Math.max(crop.width, crop.height);
  const width = Math.max(1, Math.round(crop.width * scale));
  const height = Math.max(1, Math.round(crop.height * scale));
  const { data, info } = await sharp(Buffer.from(ink), { raw: { width: image.width, height: image.height, channels: 1 } })
    .extract(crop)
    .resize(width, height, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const box = new Uint8Array(width * height);
  let strongest = 0;
  for (let i = 0; i < box.length; i++) strongest = Math.max(strongest, data[i * info.channels]);
  for (let i = 0; i < box.length; i++) box[i] = Math.round((data[i * info.channels] * 255) / strongest);

  // Step 5: shift so that the centre of mass lands on the field's centre, keeping the box inside the field.
  const com = centreOfMass(box, width, height);
  const centre = (FIELD - 1) / 2;
  const left = Math.min(FIELD - width, Math.max(0, Math.round(centre - com.x)));
  const top = Math.min(FIELD - height, Math.max(0, Math.round(centre - com.y)));
  const pixels = new Uint8Array(FIELD * FIELD);
  for (let y = 0; y < height; y++) pixels.set(box.subarray(y * width, (y + 1) * width), (top + y) * FIELD + left);
  return { pixels, crop, paper };
}
