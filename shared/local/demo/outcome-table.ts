import type { Outcome } from '../../contracts/outcome';
import type { Difference } from './compare-outcome';

/** One row of the final table: a job and how it ended. */
export interface OutcomeRow {
  /** `#1`, a job name, or `(invalid message)`. */
  readonly job: string;
  readonly description?: string;
  /** The outcome, or absent when the job has none (dead-lettered, or still watched at the end). */
  readonly outcome?: Outcome;
  /** `dead_lettered`, or `(none)` when nothing arrived; used when there is no outcome. */
  readonly statusWithoutOutcome?: string;
  /** When the job was enqueued, to measure time to notify. */
  readonly enqueuedAt: Date;
  /** Demo only: the differences from what was expected (empty: as expected). */
  readonly differences?: readonly Difference[];
}

const MAX_JOB_WIDTH = 36;

const clip = (text: string, width: number): string => (text.length <= width ? text : `${text.slice(0, width - 1)}…`);

/** `updated/received`, or the query-log counts, or `-`. */
export function countsCell(outcome: Outcome | undefined): string {
  if (!outcome) return '-';
  if (outcome.chain) return `chain of ${outcome.chain.jobs.length} jobs`;
  const r = outcome.result;
  if (r.newEventsIngested !== null || r.previouslyIngestedSkipped !== null) {
    return `${r.newEventsIngested ?? '?'} new, ${r.previouslyIngestedSkipped ?? '?'} skipped`;
  }
  if (r.updatedObjects !== null && r.numberReceived !== null) return `${r.updatedObjects}/${r.numberReceived} updated`;
  if (r.updatedObjects !== null) return `${r.updatedObjects} updated`;
  if (outcome.followUpJobIds.length > 0) return `follow-up ${outcome.followUpJobIds.map((id) => `#${id}`).join(' ')}`;
  return '-';
}

/** Error objects and ignored errors, or the last error class of a job that did not finish. */
export function errorsCell(outcome: Outcome | undefined): string {
  if (!outcome) return '-';
  if (outcome.chain) {
    const bad = outcome.chain.jobs.filter((j) => j.status !== 'successful' || j.hasErrors);
    return bad.length === 0 ? 'none' : bad.map((j) => `${'id' in j.job ? `#${j.job.id}` : j.job.name} ${j.status}`).join(', ');
  }
  const r = outcome.result;
  const parts: string[] = [];
  if (r.errorObjectCount > 0) parts.push(`${r.errorObjectCount} error object${r.errorObjectCount === 1 ? '' : 's'}`);
  if (r.errorsIgnored) parts.push(`${r.errorsIgnored} ignored`);
  if (r.error) parts.push(clip(r.error, 30));
  if (outcome.lastError && (outcome.status === 'timed_out' || outcome.status === 'not_found')) parts.push(outcome.lastError.errorClass);
  else if (outcome.status === 'timed_out') parts.push(`still ${outcome.lastStatus ?? 'unknown'}`);
  return parts.length > 0 ? parts.join(', ') : outcome.hasErrors ? 'yes' : 'none';
}

/** Seconds from enqueue to publish: what a subscriber waited. */
export function notifyCell(row: OutcomeRow): string {
  if (!row.outcome) return '-';
  return `${((Date.parse(row.outcome.publishedAt) - row.enqueuedAt.getTime()) / 1000).toFixed(1)} s`;
}

/**
 * The final table, aligned with spaces (no dependency, and it reads the same in a CI log).
 * A CHECK column appears when rows carry expectations (the demo).
 */
export function renderOutcomeTable(rows: readonly OutcomeRow[]): string {
  const withCheck = rows.some((r) => r.differences !== undefined);
  const header = ['JOB', 'STATUS', 'POLLS', 'NOTIFIED', 'COUNTS', 'ERRORS', ...(withCheck ? ['CHECK'] : [])];
  const body = rows.map((row) => [
    clip(row.job, MAX_JOB_WIDTH),
    row.outcome?.status ?? row.statusWithoutOutcome ?? '(none)',
    row.outcome ? String(row.outcome.polls) : '-',
    notifyCell(row),
    countsCell(row.outcome),
    errorsCell(row.outcome),
    ...(withCheck ? [row.differences?.length === 0 ? 'ok' : 'DIFFERS'] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n') + '\n';
}

/** The exact expected-vs-actual lines for each job that differed; empty when all matched. */
export function renderDifferences(rows: readonly OutcomeRow[]): string {
  return rows
    .filter((row) => row.differences !== undefined && row.differences.length > 0)
    .map((row) => `${row.job}${row.description ? ` (${row.description})` : ''}:\n${row.differences!.map((d) => `  ${d.field}: expected ${d.expected}, got ${d.actual}`).join('\n')}\n`)
    .join('');
}
