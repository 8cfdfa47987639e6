/** The bundle's settings (gradescope.json), written by ./bundle.ts and read by ./run.ts. */
export const VISIBILITIES = ['hidden', 'after_due_date', 'after_published', 'visible'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export interface GradescopeSettings {
  /** The lessons a submission is graded on. */
  lessons: number[];
  /** When students see each check's result (Gradescope's `visibility`). */
  visibility: Visibility;
}
