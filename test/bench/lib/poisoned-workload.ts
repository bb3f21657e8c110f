import { generateLabelledJobs, type ArrivingJob } from './labelled-workload';
import { seededRandom } from './random';

/** A job whose producer gave it another kind's label: it teaches its kind a duration that is not the kind's. */
export type MaybeMislabelledJob = ArrivingJob & { readonly mislabelled?: boolean };

/** The attack of issue 15's review: hour-long jobs labelled `lineage` (a 2-second kind). */
export const POISON = { kind: 'lineage', jobs: 3000, medianSeconds: 3600, sigma: 0.3, burstSeconds: 600, headStartSeconds: 7200 } as const;

/**
 * The labelled workload with a producer that poisons `lineage` before its genuine jobs arrive:
 * {@link POISON}.jobs real hour-long jobs labelled `lineage` are enqueued in the first 10 minutes,
 * and the genuine workload starts two hours later, when the kind has learned only the poison
 * (the review's worst case: the poison outweighs the genuine samples ~20 to 1 until about
 * 160 genuine `lineage` outcomes have been published). Durations are true: the poison jobs
 * really run an hour, as they would in Alation. Same seed, same workload.
 */
export function generatePoisonedJobs(count: number, seed: number): MaybeMislabelledJob[] {
  const random = seededRandom(seed ^ 0x9015);
  const poison: MaybeMislabelledJob[] = Array.from({ length: POISON.jobs }, () => {
    // Box–Muller on the seeded source, as the labelled workload draws its durations.
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return { arrivalSeconds: random() * POISON.burstSeconds, durationSeconds: POISON.medianSeconds * Math.exp(POISON.sigma * normal), kind: POISON.kind, mislabelled: true };
  });
  const genuine = generateLabelledJobs(count, seed).map((job) => ({ ...job, arrivalSeconds: job.arrivalSeconds + POISON.headStartSeconds }));
  return [...poison.sort((a, b) => a.arrivalSeconds - b.arrivalSeconds), ...genuine];
}
