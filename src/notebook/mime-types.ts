/**
 * The MIME types the course's outputs carry: the protocol between the lessons (which write them) and the
 * runner and site (which read them). No imports, so that tools read notebooks without loading TensorFlow.js.
 */
export const METRIC_MIME = 'application/vnd.course.metric+json';
export const LESSON_INFO_MIME = 'application/vnd.course.lesson+json';
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';
