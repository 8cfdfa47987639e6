/**
 * The image a link to the course shows in chats and social networks (og:image, 1200×630), drawn at
 * build time from SVG, so the repository holds no binary that could drift from the course's title.
 * astro.config.mjs adds the og:image tags when the site has a public URL.
 */
import sharp from 'sharp';

export const SOCIAL_PREVIEW = { path: 'social-preview.png', width: 1200, height: 630, alt: 'Deep learning in TypeScript: a course in executable notebooks' };

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SOCIAL_PREVIEW.width}" height="${SOCIAL_PREVIEW.height}">
  <rect width="100%" height="100%" fill="#17181c"/>
  <rect x="80" y="170" width="120" height="8" fill="#8ab4f8"/>
  <g font-family="Liberation Sans, DejaVu Sans, Arial, sans-serif" fill="#ffffff">
    <text x="80" y="290" font-size="76" font-weight="bold">Deep learning in TypeScript</text>
    <text x="80" y="370" font-size="36" fill="#c8cdd6">A course in executable notebooks: TensorFlow.js on MNIST,</text>
    <text x="80" y="420" font-size="36" fill="#c8cdd6">from linear regression to a convolutional network.</text>
  </g>
</svg>`;

export async function socialPreviewPng(): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}
