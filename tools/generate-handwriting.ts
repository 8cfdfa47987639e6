// `npx tsx tools/generate-handwriting.ts`: draws the course's "own handwriting" digits into data/handwriting/.
//
// Each digit is a few pen strokes (SVG paths in a 100×140 box, written by hand
// for this course). Every image varies the pen width, slant, rotation, size,
// width and position of the digit, the ink colour, and the lighting of the
// off-white paper, the way photos of real handwriting vary; sharp renders the
// SVG to PNG. All variation comes from one seeded generator, so running the
// script again reproduces the same files (with the same sharp/librsvg version).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createRng, Rng } from '../src/random';

const OUT_DIR = join(process.cwd(), 'data', 'handwriting');
const SEED = 'course-handwriting-v1';

/** Pen strokes per digit; a second entry is another way people write it. */
const STROKES: Record<number, string[][]> = {
  0: [['M50,10 C20,10 10,50 10,70 C10,100 25,130 50,130 C75,130 90,100 90,70 C90,40 80,10 50,10 Z']],
  1: [['M30,35 L55,10 L55,130'], ['M30,35 L55,10 L55,130', 'M32,130 L78,130']],
  2: [['M15,40 C15,15 40,8 55,10 C80,12 88,35 80,55 C70,80 30,105 12,130 L90,130']],
  3: [['M15,25 C30,5 80,5 80,35 C80,55 60,65 40,67 C65,67 88,80 88,100 C88,125 60,135 40,132 C25,130 15,122 10,115']],
  4: [['M65,130 L65,10 L10,95 L92,95'], ['M20,10 L14,80 L90,80', 'M68,40 L68,132']],
  5: [['M80,12 L30,12 L24,62 C40,52 60,50 75,60 C92,72 92,105 78,120 C62,136 30,134 14,118']],
  6: [['M72,12 C45,20 18,55 15,90 C13,118 30,132 50,132 C72,132 86,115 86,95 C86,74 70,62 52,62 C35,62 22,72 16,88']],
  7: [['M12,14 L88,14 C70,45 52,85 42,130'], ['M12,14 L88,14 C70,45 52,85 42,130', 'M30,72 L72,72']],
  8: [['M50,68 C25,62 18,48 18,36 C18,18 32,10 50,10 C68,10 82,18 82,36 C82,50 72,62 50,68 C25,74 14,90 14,104 C14,122 30,132 50,132 C70,132 86,122 86,104 C86,88 72,74 50,68 Z']],
  9: [['M84,40 C84,22 70,10 50,10 C30,10 16,24 16,42 C16,60 30,72 48,72 C66,72 80,60 84,40 C84,75 78,110 60,130']],
};

const between = (rng: Rng, low: number, high: number) => low + (high - low) * rng.next();

function digitSvg(digit: number, variant: number, rng: Rng): { svg: string; width: number; height: number } {
  const landscape = rng.next() < 0.4;
  const width = landscape ? 320 : 240;
  const height = 240;
  const strokes = STROKES[digit][variant % STROKES[digit].length];

  const digitHeight = between(rng, 0.45, 0.75) * height; // how big the writer wrote
  const scale = digitHeight / 140;
  const squash = between(rng, 0.8, 1.15); // narrow or wide handwriting
  const slant = between(rng, -18, 8); // degrees; most people lean right (negative skew here)
  const rotate = between(rng, -6, 6);
  const pen = between(rng, 7, 20); // in box units (the digit is 140 high), so thicker when written bigger
  const cx = width / 2 + between(rng, -0.2, 0.2) * width;
  const cy = height / 2 + between(rng, -0.12, 0.12) * height;
  const inks = ['#1b2440', '#202020', '#2a2f6b', '#33302b'];
  const ink = inks[Math.floor(rng.next() * inks.length)];

  // Uneven light: a gradient across the off-white paper at a random angle.
  const light = Math.round(between(rng, 238, 250));
  const shade = Math.round(light - between(rng, 10, 25));
  const angle = between(rng, 0, 360);

  const paths = strokes
    .map((d) => `<path d="${d}" fill="none" stroke="${ink}" stroke-width="${pen.toFixed(2)}" stroke-linecap="round" stroke-linejoin="round"/>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="paper" gradientTransform="rotate(${angle.toFixed(1)} 0.5 0.5)">
<stop offset="0" stop-color="rgb(${light},${light - 3},${light - 10})"/><stop offset="1" stop-color="rgb(${shade},${shade - 3},${shade - 10})"/>
</linearGradient></defs>
<rect width="100%" height="100%" fill="url(#paper)"/>
<g transform="translate(${cx.toFixed(1)} ${cy.toFixed(1)}) rotate(${rotate.toFixed(2)}) skewX(${slant.toFixed(2)}) scale(${(scale * squash).toFixed(4)} ${scale.toFixed(4)}) translate(-50 -70)">${paths}</g>
</svg>`;
  return { svg, width, height };
}

async function main(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  const rng = createRng(SEED);
  for (let variant = 0; variant < 2; variant++) {
    for (let digit = 0; digit <= 9; digit++) {
      const { svg } = digitSvg(digit, variant, rng);
      const png = await sharp(Buffer.from(svg)).png({ compressionLevel: 9 }).toBuffer();
      const name = `${digit}_${String.fromCharCode(97 + variant)}.png`; // the label is the first character
      writeFileSync(join(OUT_DIR, name), png);
      console.log(`wrote data/handwriting/${name}`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
