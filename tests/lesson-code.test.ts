// A lesson writes the code it trains with; the lessons after it import the same code from src/. Each pair
// must be the same text, so that what a student read in one lesson is what runs in the next.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../tools/jupyter.mjs';

interface SharedCode {
  lesson: string;
  file: string;
  names: string[];
}

const SHARED_CODE: SharedCode[] = [
  { lesson: 'lessons/05-deeper-network.ipynb', file: 'src/training/softmax-cross-entropy.ts', names: ['softmaxCrossEntropy'] },
  { lesson: 'lessons/05-deeper-network.ipynb', file: 'src/training/l2-penalty.ts', names: ['l2Penalty'] },
  {
    lesson: 'lessons/05-deeper-network.ipynb',
    file: 'src/training/classifier-epoch.ts',
    names: ['EpochStats', 'TrainEpochOptions', 'trainClassifierEpoch', 'evaluateClassifier'],
  },
  { lesson: 'lessons/07-convolutions-and-lenet.ipynb', file: 'src/models/lenet.ts', names: ['LeNetOptions', 'buildLeNet'] },
];

/** The top-level declaration of `name` (function, interface or type), from its first line to the first `}` or `};` in column 0. */
function declaration(source: string, name: string): string | undefined {
  const lines = source.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^(export )?(function|interface|type|const) ${name}\\b`).test(line));
  if (start < 0) return undefined;
  const end = lines.findIndex((line, i) => i > start && /^};?\s*$/.test(line));
  return lines.slice(start, end + 1).join('\n').replace(/^export /, '');
}

function notebookCode(path: string): string {
  const notebook = JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as { cells: Array<{ cell_type: string; source: string | string[] }> };
  return notebook.cells
    .filter((cell) => cell.cell_type === 'code')
    .map((cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source))
    .join('\n');
}

describe('code a lesson shows and src/ keeps', () => {
  for (const { lesson, file, names } of SHARED_CODE) {
    for (const name of names) {
      it(`${name}: ${lesson} and ${file} hold the same text`, () => {
        const inSrc = declaration(readFileSync(join(REPO_ROOT, file), 'utf8'), name);
        expect(inSrc, `${file} declares ${name}`).toBeDefined();
        expect(declaration(notebookCode(lesson), name), `${lesson} declares ${name} as ${file} does`).toBe(inSrc);
      });
    }
  }

  it('finds a declaration to its closing brace and nothing after it', () => {
    const source = 'import x;\nexport function f(a: number): number {\n  if (a) {\n    return 1;\n  }\n  return 2;\n}\nfunction g() {}\n';
    expect(declaration(source, 'f')).toBe('function f(a: number): number {\n  if (a) {\n    return 1;\n  }\n  return 2;\n}');
    expect(declaration(source, 'h')).toBeUndefined();
  });
});
