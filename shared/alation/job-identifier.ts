import { labelTextProblem } from '../contracts/label-text';

/**
 * How a job is named: Alation hands out either an integer id (query-log push) or a
 * job name (Lineage, Report Sources, Update Database Technical Metadata).
 */
export type JobIdentifier = { readonly id: number } | { readonly name: string };

/** The longest job name accepted; real names are about 100 characters. */
export const MAX_JOB_NAME_LENGTH = 1024;

const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/;

/**
 * Returns the job name as Alation knows it, decoded exactly once.
 *
 * Producers often hand over names that are already percent-encoded (Alation's own Python
 * sample does). A name that contains an escape such as `%23` and no `#` is taken to be
 * encoded and decoded once, so the client encodes it exactly once on the wire. A name
 * that is not valid percent-encoding, or that would decode to text no label may hold (control
 * characters, line separators, bidirectional controls, U+FFFE/U+FFFF), is kept as it is. Decoding happens once per watch: on the producer's message, never on the
 * watcher's own re-sends (see `validateJobReference`).
 */
export function normaliseJobName(name: string): string {
  if (name.includes('#') || !PERCENT_ESCAPE.test(name)) return name;
  try {
    const decoded = decodeURIComponent(name);
    return labelTextProblem(decoded) === undefined ? decoded : name;
  } catch {
    return name;
  }
}

/** A stable string for one job, used as the idempotency key and in notification ids. */
export function jobKey(job: JobIdentifier): string {
  return 'id' in job ? `id:${job.id}` : `name:${job.name}`;
}

/** A short label for people: `#1234` or the job name. */
export function jobLabel(job: JobIdentifier): string {
  return 'id' in job ? `#${job.id}` : job.name;
}
