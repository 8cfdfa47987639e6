/**
 * Running sums over an epoch (loss sum, correct predictions, example count):
 * add numbers as batches go by, read totals or ratios at the end.
 */
export class Accumulator {
  private sums: number[];

  constructor(readonly size: number) {
    this.sums = new Array(size).fill(0);
  }

  add(...values: number[]): void {
    if (values.length !== this.size) throw new RangeError(`Accumulator of ${this.size} values was given ${values.length}.`);
    values.forEach((value, i) => (this.sums[i] += value));
  }

  get(index: number): number {
    if (index < 0 || index >= this.size) throw new RangeError(`Accumulator has no slot ${index} (size ${this.size}).`);
    return this.sums[index];
  }

  /** sums[numerator] / sums[denominator], e.g. correct / seen. */
  ratio(numerator: number, denominator: number): number {
    return this.get(numerator) / this.get(denominator);
  }

  reset(): void {
    this.sums.fill(0);
  }
}
