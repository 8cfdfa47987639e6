/** Small images for notebook tables: PNGs inlined as data: URIs, so the saved notebook shows them offline. */
import sharp from 'sharp';

/** A grayscale image (0 = black) as a PNG data URI, enlarged `scale` times with hard pixel edges. */
export async function grayPngDataUri(pixels: Uint8Array, width: number, height: number, scale = 1): Promise<string> {
  const png = await sharp(Buffer.from(pixels), { raw: { width, height, channels: 1 } })
    .resize(width * scale, height * scale, { kernel: 'nearest' })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** An image file shrunk to fit `size`×`size`, as a PNG data URI. */
export async function thumbnailDataUri(file: string, size: number): Promise<string> {
  const png = await sharp(file).resize(size, size, { fit: 'inside' }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
