/**
 * Seeded randomness. TensorFlow.js has no global seed: every random op and
 * every layer initializer takes its own. A lesson creates one `Rng` from its
 * seed and draws everything from it (shuffles, initializer seeds), so the same
 * seed on the same backend replays the same numbers.
 */
import seedrandom from 'seedrandom';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** A fresh integer seed for a tfjs op or initializer. */
  seed(): number;
}

export function createRng(seed: number | string): Rng {
  const prng = seedrandom(String(seed));
  return {
    next: () => prng(),
    seed: () => Math.floor(prng() * 2 ** 31),
  };
}

/** The indices 0..n-1 in a random order (Fisher–Yates). */
export function shuffledIndices(n: number, rng: Rng): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
