import { jobLabel } from '../alation/job-identifier';
import type { Outcome } from '../contracts/outcome';
import { safeLine } from './safe-text';

/** SNS subjects must be under 100 characters of printable ASCII, with no line breaks. */
export const MAX_SUBJECT_LENGTH = 99;

/**
 * A subject a person understands at a glance in an inbox:
 * `Alation job #42 failed: 3 errors` or `Alation job MetadataExtraction#1_… successful: 2 updated`.
 * Long job names are shortened in the middle, where they differ least (date and UUID tails).
 */
export function outcomeSubject(outcome: Outcome): string {
  const summary = `${outcome.status.replace(/_/g, ' ')}${countsSummary(outcome)}`;
  // A chain's verdict reads apart from the root's own outcome in an inbox.
  const prefix = outcome.chain ? 'Alation job chain ' : 'Alation job ';
  // The job keeps at least 24 characters; a long summary is cut at the end instead.
  const room = Math.max(24, MAX_SUBJECT_LENGTH - prefix.length - summary.length - 1);
  // safeLine first: bidi controls go (rather than become '?'), breaks become one visible mark.
  const label = shorten(toPrintableAscii(safeLine(jobLabel('id' in outcome.job ? outcome.job : { name: outcome.job.name }))), room);
  return `${prefix}${label} ${summary}`.slice(0, MAX_SUBJECT_LENGTH);
}

function countsSummary(outcome: Outcome): string {
  const { result } = outcome;
  const parts: string[] = [];
  const errors = Math.max(result.errorObjectCount, result.errorsIgnored ?? 0);
  if (errors > 0) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (result.failedCount) parts.push(`${result.failedCount} failed`);
  if (result.updatedObjects !== null) parts.push(`${result.updatedObjects} updated`);
  if (result.newEventsIngested !== null) parts.push(`${result.newEventsIngested} new events`);
  if (outcome.status === 'timed_out') parts.push(`after ${outcome.polls} checks`);
  return parts.length > 0 ? `: ${parts.join(', ')}` : '';
}

function shorten(text: string, room: number): string {
  if (text.length <= room) return text;
  if (room <= 1) return '';
  const head = Math.ceil((room - 1) * 0.6);
  return `${text.slice(0, head)}~${text.slice(text.length - (room - 1 - head))}`;
}

function toPrintableAscii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
