/**
 * What a lesson run records in its executed notebook (metadata.course.results).
 * Types only, with no imports, so that the site (its own package) can share them.
 */
export interface Threshold {
  min?: number;
  max?: number;
}

export interface ThresholdCheck {
  metric: string;
  value: number | undefined;
  threshold: Threshold;
  passed: boolean;
  /** Why it failed, in words. */
  problem?: string;
}

export interface LessonResults {
  passed: boolean;
  backend?: string;
  /** The seed the lesson ran with (its own, or COURSE_SEED's). */
  seed?: number;
  seconds: number;
  /** The kernel's peak resident memory over the run, in MiB (Linux). */
  peak_rss_mib?: number;
  finished_at: string;
  metrics: Record<string, number>;
  checks: ThresholdCheck[];
  failure?: string;
}
