/**
 * Seeded pseudo-random numbers, so a fault schedule replays identically for the same seed.
 * Not for anything secret: token values come from `crypto.randomUUID`.
 */

/** Returns uniformly distributed numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: tiny, fast, and good enough to spread faults evenly; the seed is truncated to 32 bits.
 *
 * @example
 * const random = createRandom(42);
 * random(); // the same first value on every run
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
