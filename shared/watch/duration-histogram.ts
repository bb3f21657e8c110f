/**
 * The compact summary the watcher keeps of one kind's job durations: a log-bucketed histogram
 * whose samples fade with age. Pure arithmetic, shared by the DynamoDB adapter (which stores
 * the buckets) and the schedule (which reads quantiles from them).
 *
 * Decay is "forward decay" (Cormode et al., 2009): instead of shrinking every stored count as
 * time passes, which would need a read-modify-write, each new sample is added with a weight that
 * grows with time, `2^((t − eraStart) / halfLife)`. Adding is then a plain atomic `ADD` that
 * concurrent writers can never lose, and dividing by the weight of "now" at read time gives every
 * sample its decayed weight `2^(−age / halfLife)`. So that weights stay small numbers, time is cut
 * into eras of {@link ERA_HALF_LIVES} half-lives, each stored apart; a reader combines the
 * current era with the previous one (anything older weighs less than 2^−16 and is left out).
 */

/** Durations below this all fall in bucket 0. */
export const HISTOGRAM_MIN_SECONDS = 0.5;
/** Bucket width: 2^(1/4) ≈ 19 %, finer than the spread of one kind's durations. */
export const BUCKETS_PER_DOUBLING = 4;
/** 0.5 s · 2^(88/4) ≈ 24 days: past the longest watch (14 days); longer durations land in the last bucket. */
export const HISTOGRAM_BUCKETS = 88;

/** How fast old samples fade: a sample this old counts half. @default 7 days */
export const DEFAULT_HALF_LIFE_SECONDS = 7 * 24 * 3600;
/** Era length in half-lives: sample weights stay below 2^16 within an era. */
export const ERA_HALF_LIVES = 16;

/** One era's stored weights for one kind, as written by concurrent `ADD`s. */
export interface EraCounts {
  /** Era number: `floor(time / eraLength)`. */
  readonly era: number;
  /** Weight per bucket; missing buckets are 0. Length ≤ {@link HISTOGRAM_BUCKETS}. */
  readonly weights: readonly number[];
}

/**
 * What the schedule knows about one kind's durations, as of one moment: each sample weighs
 * `2^(−age / halfLife)`. Plain data, so it can be passed into the pure `decide`.
 */
export interface KindDurations {
  /** Sum of the decayed weights: "about this many recent samples". */
  readonly samples: number;
  /** Decayed weight per bucket, {@link HISTOGRAM_BUCKETS} long. */
  readonly weights: readonly number[];
}

export interface DecayClock {
  /** @default DEFAULT_HALF_LIFE_SECONDS */
  readonly halfLifeSeconds: number;
}

const eraLengthMs = (clock: DecayClock) => clock.halfLifeSeconds * ERA_HALF_LIVES * 1000;

/** The bucket a duration falls in: 0 for anything under 0.5 s (and for nonsense), the last for anything huge. */
export function bucketOf(seconds: number): number {
  if (!(seconds >= HISTOGRAM_MIN_SECONDS)) return 0;
  const index = Math.floor(Math.log2(seconds / HISTOGRAM_MIN_SECONDS) * BUCKETS_PER_DOUBLING) + 1;
  return Math.min(index, HISTOGRAM_BUCKETS - 1);
}

/** Lower and upper bound (seconds) of a bucket; bucket 0 is [0, 0.5). */
export function bucketBounds(index: number): readonly [number, number] {
  if (index <= 0) return [0, HISTOGRAM_MIN_SECONDS];
  const edge = (i: number) => HISTOGRAM_MIN_SECONDS * 2 ** ((i - 1) / BUCKETS_PER_DOUBLING);
  return [edge(index), edge(index + 1)];
}

/** The era a moment belongs to. */
export function eraOf(atMs: number, clock: DecayClock): number {
  return Math.floor(atMs / eraLengthMs(clock));
}

/** The weight a sample recorded at `atMs` is added with, in its era's units (1 at the era's start, < 2^16 at its end). */
export function sampleWeight(atMs: number, clock: DecayClock): number {
  const eraStart = eraOf(atMs, clock) * eraLengthMs(clock);
  return 2 ** ((atMs - eraStart) / (clock.halfLifeSeconds * 1000));
}

/**
 * Combines the stored eras into what is known at `nowMs`: each era's weights divided by the
 * weight "now" has in that era's units. Eras other than the current and the previous one, and
 * eras from the future (a clock that jumped), are ignored.
 */
export function combineEras(eras: readonly EraCounts[], nowMs: number, clock: DecayClock): KindDurations {
  const current = eraOf(nowMs, clock);
  const nowInCurrentEra = sampleWeight(nowMs, clock);
  const weights = new Array<number>(HISTOGRAM_BUCKETS).fill(0);
  for (const { era, weights: stored } of eras) {
    if (era !== current && era !== current - 1) continue;
    // In the previous era's units, "now" weighs a whole era (2^16) more.
    const divisor = era === current ? nowInCurrentEra : nowInCurrentEra * 2 ** ERA_HALF_LIVES;
    for (let i = 0; i < HISTOGRAM_BUCKETS && i < stored.length; i++) {
      const w = stored[i] as number;
      if (Number.isFinite(w) && w > 0) weights[i] = (weights[i] as number) + w / divisor;
    }
  }
  return { samples: weights.reduce((a, b) => a + b, 0), weights };
}

/**
 * The duration below which a share `q` (0–1) of the kind's (decayed) samples fall, interpolated
 * geometrically inside the bucket (linearly in bucket 0). Null when there are no samples.
 */
export function durationQuantile(durations: KindDurations, q: number): number | null {
  if (!(durations.samples > 0)) return null;
  const target = Math.min(Math.max(q, 0), 1) * durations.samples;
  let cumulative = 0;
  for (let i = 0; i < durations.weights.length; i++) {
    const w = durations.weights[i] as number;
    if (w <= 0) continue;
    if (cumulative + w >= target) {
      const [lo, hi] = bucketBounds(i);
      const within = (target - cumulative) / w;
      return i === 0 ? lo + (hi - lo) * within : lo * (hi / lo) ** within;
    }
    cumulative += w;
  }
  return bucketBounds(durations.weights.length - 1)[1];
}

/** Adds one sample, in memory (the simulation's store and tests). Returns a new value. */
export function addSample(eras: readonly EraCounts[], seconds: number, atMs: number, clock: DecayClock): EraCounts[] {
  const era = eraOf(atMs, clock);
  const bucket = bucketOf(seconds);
  const weight = sampleWeight(atMs, clock);
  const existing = eras.find((e) => e.era === era);
  const weights = Array.from({ length: HISTOGRAM_BUCKETS }, (_, i) => (existing?.weights[i] ?? 0) + (i === bucket ? weight : 0));
  // Keep the current era and the one before: older eras no longer count.
  return [...eras.filter((e) => e.era !== era && e.era >= era - 1), { era, weights }];
}
