import { seededRandom } from './random';

/** One kind of job in the labelled workload: its share and a log-normal duration. */
export interface KindSpec {
  readonly kind: string;
  readonly share: number;
  readonly medianSeconds: number;
  /** σ of the natural log of the duration. */
  readonly sigma: number;
}

/** The kind-labelled workload (issue 15): seconds-long lineage uploads to 40-minute extractions. */
export const LABELLED_KINDS: readonly KindSpec[] = [
  { kind: 'lineage', share: 0.45, medianSeconds: 2, sigma: 0.6 },
  { kind: 'update-technical-metadata', share: 0.25, medianSeconds: 30, sigma: 0.8 },
  { kind: 'query-log-ingestion', share: 0.2, medianSeconds: 240, sigma: 0.7 },
  { kind: 'metadata-extraction', share: 0.1, medianSeconds: 2400, sigma: 0.8 },
];

/** The labelled jobs arrive as a Poisson stream over one day: 10,000 a day, the cost section's assumption. */
export const LABELLED_ARRIVAL_SPAN_SECONDS = 24 * 3600;

/** One job of a workload that arrives over time. */
export interface ArrivingJob {
  /** Seconds from the start of the run; the job starts and is enqueued then. */
  readonly arrivalSeconds: number;
  readonly durationSeconds: number;
  /** Null: the producer sent no kind. */
  readonly kind: string | null;
}

/**
 * The labelled workload: each kind gets exactly its share of the jobs (rounded), durations are
 * log-normal (Box–Muller on the seeded source), the kinds are shuffled and the arrivals are a
 * Poisson stream over {@link LABELLED_ARRIVAL_SPAN_SECONDS}. Same seed, same workload.
 */
export function generateLabelledJobs(count: number, seed: number, kinds: readonly KindSpec[] = LABELLED_KINDS): ArrivingJob[] {
  const random = seededRandom(seed);
  const counts = kinds.map((k) => Math.round(k.share * count));
  counts[counts.length - 1] = count - counts.slice(0, -1).reduce((a, b) => a + b, 0);
  const drawn: { kind: string; durationSeconds: number }[] = [];
  kinds.forEach((spec, i) => {
    for (let n = 0; n < (counts[i] as number); n++) {
      drawn.push({ kind: spec.kind, durationSeconds: spec.medianSeconds * Math.exp(spec.sigma * standardNormal(random)) });
    }
  });
  for (let i = drawn.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [drawn[i], drawn[j]] = [drawn[j] as (typeof drawn)[number], drawn[i] as (typeof drawn)[number]];
  }
  return withArrivals(drawn, seed, LABELLED_ARRIVAL_SPAN_SECONDS);
}

/** Gives jobs (in order) Poisson arrival times with the rate that spreads them over `spanSeconds`. */
export function withArrivals<T extends { durationSeconds: number; kind: string | null }>(jobs: readonly T[], seed: number, spanSeconds: number): ArrivingJob[] {
  const random = seededRandom(seed ^ 0x5eed);
  const meanGap = spanSeconds / jobs.length;
  let t = 0;
  return jobs.map((job) => {
    t += -Math.log(1 - random()) * meanGap;
    return { arrivalSeconds: t, durationSeconds: job.durationSeconds, kind: job.kind };
  });
}

function standardNormal(random: () => number): number {
  // Box–Muller; 1 − u keeps the logarithm away from 0.
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
