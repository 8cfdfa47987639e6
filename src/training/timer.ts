/** Wall-clock timing of repeated work, e.g. one timing per epoch. */
export class Timer {
  private startedAt: number | undefined;
  readonly times: number[] = [];

  start(): this {
    this.startedAt = performance.now();
    return this;
  }

  /** Stops the running measurement and returns it in seconds. */
  stop(): number {
    if (this.startedAt === undefined) throw new Error('Timer.stop() called before start().');
    const seconds = (performance.now() - this.startedAt) / 1000;
    this.startedAt = undefined;
    this.times.push(seconds);
    return seconds;
  }

  sum(): number {
    return this.times.reduce((a, b) => a + b, 0);
  }

  average(): number {
    return this.times.length ? this.sum() / this.times.length : 0;
  }
}
