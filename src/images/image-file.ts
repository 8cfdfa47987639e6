/**
 * Reading a photo or scan of a digit. Only PNG and JPEG are accepted, and they
 * are recognised by their first bytes (their "magic numbers"), not by the file
 * name: a renamed text file gets a clear message instead of a decoder's riddle.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import sharp from 'sharp';
import { DataFileError, firstLine } from '../errors';

export type ImageFormat = 'png' | 'jpeg';

/** A grayscale image, row after row: 0 is black, 255 is white. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const startsWith = (signature: number[]) => signature.every((b, i) => bytes[i] === b);
  if (startsWith(PNG_SIGNATURE)) return 'png';
  if (startsWith(JPEG_SIGNATURE)) return 'jpeg';
  return undefined;
}

/** The file's bytes, once we know it is a non-empty PNG or JPEG. */
export function readImageFile(file: string): { bytes: Buffer; format: ImageFormat } {
  if (!existsSync(file)) throw new DataFileError(file, 'does not exist.');
  if (!statSync(file).isFile()) throw new DataFileError(file, 'is a folder, not an image file.');
  const bytes = readFileSync(file);
  if (bytes.length === 0) throw new DataFileError(file, 'is empty (0 bytes), not an image.');
  const format = sniffImageFormat(bytes);
  if (!format) {
    const start = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DataFileError(file, `is not a PNG or JPEG image (it starts with the bytes ${start}).`, 'save the picture as .png or .jpg.');
  }
  return { bytes, format };
}

/** Decodes a PNG or JPEG to grayscale; transparency is laid on white paper first. */
export async function readGrayImage(file: string): Promise<GrayImage> {
  const { bytes, format } = readImageFile(file);
  try {
    const { data, info } = await sharp(bytes)
      .rotate() // honour a phone's EXIF orientation
      .flatten({ background: '#ffffff' })
      .grayscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    // grayscale() normally leaves one channel; keep the first if the decoder returned more.
    const pixels = new Uint8Array(info.width * info.height);
    for (let i = 0; i < pixels.length; i++) pixels[i] = data[i * info.channels];
    return { width: info.width, height: info.height, pixels };
  } catch (error) {
    throw new DataFileError(file, `looks like a ${format.toUpperCase()} but cannot be decoded (${firstLine(error)}); it may be truncated.`);
  }
}
