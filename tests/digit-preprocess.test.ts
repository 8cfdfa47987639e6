import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageFile, sniffImageFormat } from '../src/images/image-file';
import { centreOfMass, FIELD, inkBoundingBox, preprocessDigitFile } from '../src/images/mnist-preprocess';

const dir = mkdtempSync(join(tmpdir(), 'digit-preprocess-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A "7" in dark ink, off-centre on a 300×200 off-white page with a lighting gradient. */
const SEVEN_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200">
<defs><linearGradient id="p"><stop offset="0" stop-color="#f2efe6"/><stop offset="1" stop-color="#dcd8cc"/></linearGradient></defs>
<rect width="100%" height="100%" fill="url(#p)"/>
<path d="M40,30 L110,30 L75,150" fill="none" stroke="#1b2440" stroke-width="9" stroke-linecap="round" stroke-linejoin="round"/>
</svg>`;

let pngFile: string;
let jpegFile: string;

beforeAll(async () => {
  pngFile = join(dir, 'seven.png');
  jpegFile = join(dir, 'seven.jpg');
  await sharp(Buffer.from(SEVEN_SVG)).png().toFile(pngFile);
  await sharp(Buffer.from(SEVEN_SVG)).jpeg({ quality: 85 }).toFile(jpegFile);
});

describe('preprocessDigitFile', () => {
  for (const kind of ['png', 'jpeg'] as const) {
    it(`turns a ${kind} photo of a digit into a centred 28×28 MNIST-style image`, async () => {
      const { pixels, crop } = await preprocessDigitFile(kind === 'png' ? pngFile : jpegFile);
      expect(pixels).toBeInstanceOf(Uint8Array);
      expect(pixels.length).toBe(FIELD * FIELD);
      // White ink on black: the background is 0 and the strongest ink 255, as in MNIST.
      expect(Math.min(...pixels)).toBe(0);
      expect(Math.max(...pixels)).toBe(255);
      expect(pixels[0]).toBe(0);
      // The ink fits the 20×20 box: its longer side (the height of a 7) is 20 pixels.
      const box = inkBoundingBox(pixels, FIELD, FIELD)!;
      expect(Math.max(box.width, box.height)).toBeLessThanOrEqual(20);
      expect(box.height).toBeGreaterThanOrEqual(19);
      expect(box.width).toBeLessThan(box.height); // aspect ratio kept: a 7 is taller than wide
      // Centred by centre of mass, to within the half pixel that an integer shift allows.
      const com = centreOfMass(pixels, FIELD, FIELD);
      expect(Math.abs(com.x - 13.5)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(com.y - 13.5)).toBeLessThanOrEqual(0.5);
      // The crop found the stroke (drawn from x 40..110, y 30..150, 9 px wide) and not the shaded paper.
      expect(crop.left).toBeGreaterThanOrEqual(30);
      expect(crop.left + crop.width).toBeLessThanOrEqual(120);
      expect(crop.top).toBeGreaterThanOrEqual(20);
      expect(crop.top + crop.height).toBeLessThanOrEqual(160);
    });
  }

  it('gives the same result for the same file (deterministic)', async () => {
    const a = await preprocessDigitFile(pngFile);
    const b = await preprocessDigitFile(pngFile);
    expect(Array.from(a.pixels)).toEqual(Array.from(b.pixels));
  });

  it('names the file when it is not a PNG or JPEG', async () => {
    const file = join(dir, 'notes.png');
    writeFileSync(file, 'this is text, not a picture');
    await expect(preprocessDigitFile(file)).rejects.toThrow(`${file}: is not a PNG or JPEG image (it starts with the bytes 74 68 69 73).`);
  });

  it('names the file when it is empty', async () => {
    const file = join(dir, 'empty.png');
    writeFileSync(file, '');
    await expect(preprocessDigitFile(file)).rejects.toThrow(`${file}: is empty (0 bytes), not an image.`);
  });

  it('names the file when a PNG is truncated', async () => {
    const file = join(dir, 'truncated.png');
    const png = await sharp(Buffer.from(SEVEN_SVG)).png().toBuffer();
    writeFileSync(file, png.subarray(0, 60));
    await expect(preprocessDigitFile(file)).rejects.toThrow(`${file}: looks like a PNG but cannot be decoded`);
  });

  it('names the file when it is missing or shows no ink', async () => {
    const missing = join(dir, 'nowhere.png');
    await expect(preprocessDigitFile(missing)).rejects.toThrow(`${missing}: does not exist.`);
    const blank = join(dir, 'blank.png');
    await sharp({ create: { width: 50, height: 40, channels: 3, background: '#eeeeee' } }).png().toFile(blank);
    await expect(preprocessDigitFile(blank)).rejects.toThrow(`${blank}: shows no ink darker than the paper`);
  });
});

describe('sniffImageFormat', () => {
  it('recognises PNG and JPEG by their first bytes, whatever the file is called', () => {
    expect(sniffImageFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(sniffImageFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffImageFormat(new Uint8Array([0x47, 0x49, 0x46, 0x38]))).toBeUndefined(); // GIF
    expect(readImageFile(jpegFile).format).toBe('jpeg');
  });
});
