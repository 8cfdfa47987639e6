/**
 * Lesson 2, reading an IDX header: how its checks call the student's `readIdxHeader` and judge what
 * it gave, shared by the grader's hidden checks and the student's self-check (../self-check).
 */
import { expect, studentCall, throwsOn } from '../checks';
import type { ExerciseCheck } from '../self-check';

type Header = { typeCode: number; dims: number[] };
type ReadIdxHeader = (bytes: Uint8Array) => Header;

/** The header read from each file's first bytes; expected: the header each holds. */
export const idxHeaderValues: ExerciseCheck<ReadIdxHeader, number[][], Header[]> = {
  answer: (readIdxHeader, files) =>
    files.map((bytes) => {
      const header = studentCall('readIdxHeader', () => readIdxHeader()(Uint8Array.from(bytes)));
      return { typeCode: header?.typeCode, dims: header?.dims };
    }),
  judge: (files, expected, answers) => {
    files.forEach((_, i) => {
      const answer = (answers as Array<Partial<Header> | undefined>)[i];
      const want = JSON.stringify({ typeCode: expected[i].typeCode, dims: expected[i].dims });
      const got = JSON.stringify({ typeCode: answer?.typeCode, dims: answer?.dims });
      expect(got === want, `readIdxHeader on a header with type 0x${expected[i].typeCode.toString(16)} and dimensions [${expected[i].dims}]: expected ${want}, got ${got}`);
    });
  },
};

type BadFiles = { badMagic: number[]; truncated: number[] };

/** Whether reading each bad file threw (it must); nothing is expected beyond that. */
export const idxHeaderRejects: ExerciseCheck<ReadIdxHeader, BadFiles, null> = {
  answer: (readIdxHeader, bad) => ({
    badMagic: throwsOn('readIdxHeader', () => readIdxHeader()(Uint8Array.from(bad.badMagic))),
    truncated: throwsOn('readIdxHeader', () => readIdxHeader()(Uint8Array.from(bad.truncated))),
  }),
  judge: ({ badMagic, truncated }, _, answer) => {
    const threw = answer as { badMagic: unknown; truncated: unknown };
    expect(threw.badMagic === true, `readIdxHeader accepted a file that starts with the bytes ${badMagic[0]}, ${badMagic[1]}, not 0, 0`);
    expect(threw.truncated === true, `readIdxHeader accepted a header announcing ${truncated[3]} dimensions in ${truncated.length} bytes`);
  },
};
