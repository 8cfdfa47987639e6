/**
 * Smoothing a noisy curve: the mean of each value and the window − 1 values
 * before it, as pandas' `rolling(window).mean()` (the first window − 1
 * entries, which have too few predecessors, are NaN as in pandas). Computed
 * from running sums, so the cost does not grow with the window.
 */
export function rollingMean(values: ArrayLike<number>, window: number): number[] {
  if (!(Number.isInteger(window) && window >= 1)) throw new RangeError(`The window must be a whole number ≥ 1, got ${window}.`);
  const out: number[] = new Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    out[i] = i >= window - 1 ? sum / window : NaN;
  }
  return out;
}
