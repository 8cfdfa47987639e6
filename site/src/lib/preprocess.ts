/**
 * A drawing to an MNIST-like input, the way MNIST itself was made: the digit's ink is cropped to its
 * bounding box, scaled (keeping its aspect ratio, averaging over areas like an anti-aliased resize) to
 * fit a 20×20 box, then placed in a 28×28 field so that its centre of mass is at the centre.
 * Pure functions on pixel arrays, so the browser demo and Node tests share them.
 */
export const SIZE = 28;
export const BOX = 20;

/** Ink intensity in [0, 1] per pixel from RGBA bytes: light strokes on a dark canvas, like MNIST. */
export function inkFromRgba(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): Float32Array {
  const ink = new Float32Array(width * height);
  for (let i = 0; i < ink.length; i++) {
    const [r, g, b, a] = [rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3]];
    ink[i] = ((r + g + b) / (3 * 255)) * (a / 255);
  }
  return ink;
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The smallest box holding every pixel with ink above `threshold`, or undefined for an empty drawing. */
export function inkBoundingBox(ink: Float32Array, width: number, height: number, threshold = 0.05): Box | undefined {
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > threshold) {
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  return right < 0 ? undefined : { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/** Resizes by averaging each output pixel's footprint (box filter with fractional coverage). */
export function resizeArea(src: Float32Array, srcWidth: number, srcHeight: number, width: number, height: number): Float32Array {
  // Separable: rows first, then columns.
  const rows = new Float32Array(width * srcHeight);
  const sx = srcWidth / width;
  for (let y = 0; y < srcHeight; y++) {
    for (let x = 0; x < width; x++) rows[y * width + x] = average(x * sx, (x + 1) * sx, (i) => src[y * srcWidth + i]);
  }
  const out = new Float32Array(width * height);
  const sy = srcHeight / height;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) out[y * width + x] = average(y * sy, (y + 1) * sy, (i) => rows[i * width + x]);
  }
  return out;
}

/** The mean of f over the continuous interval [from, to), each integer cell weighted by its overlap. */
function average(from: number, to: number, f: (i: number) => number): number {
  let sum = 0;
  for (let i = Math.floor(from); i < Math.ceil(to); i++) sum += f(i) * (Math.min(to, i + 1) - Math.max(from, i));
  return sum / (to - from);
}

/** The 784 inputs in [0, 1], row by row, or undefined when nothing is drawn. */
export function toMnistInput(ink: Float32Array, width: number, height: number): Float32Array | undefined {
  const box = inkBoundingBox(ink, width, height);
  if (!box) return undefined;
  const crop = new Float32Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) crop[y * box.width + x] = ink[(box.top + y) * width + box.left + x];
  }
  const scale = BOX / Math.max(box.width, box.height);
  const w = Math.max(1, Math.round(box.width * scale));
  const h = Math.max(1, Math.round(box.height * scale));
  const digit = resizeArea(crop, box.width, box.height, w, h);

  // The centre of mass of the scaled digit, by pixel index. MNIST puts it at index 14 (measured on the
  // test set: the mean is 14.0 both ways), not at the geometric centre 13.5.
  let [mass, mx, my] = [0, 0, 0];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = digit[y * w + x];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  const left = Math.round(SIZE / 2 - mx / mass);
  const top = Math.round(SIZE / 2 - my / mass);

  const input = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [tx, ty] = [left + x, top + y];
      if (tx >= 0 && tx < SIZE && ty >= 0 && ty < SIZE) input[ty * SIZE + tx] = Math.min(1, Math.max(0, digit[y * w + x]));
    }
  }
  return input;
}
