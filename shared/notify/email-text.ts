import { jobLabel } from '../alation/job-identifier';
import type { Outcome } from '../contracts/outcome';
import { safeBlock, safeLine, safeLines } from './safe-text';

/** An email lists this many error objects; the JSON keeps them all (within SNS's limit). */
export const EMAIL_MAX_ERROR_OBJECTS = 25;

/** Labels sit in this many columns; a value's further lines are indented as far. */
const LABEL_WIDTH = 18;

/**
 * The plain-text version of an outcome, for email subscribers. Every value from Alation or
 * a producer goes through `safe-text`: no control or bidi character reaches the reader, and
 * a value's further lines are indented, so only the lines written here start at column 0.
 */
export function outcomeEmailText(outcome: Outcome): string {
  const { result } = outcome;
  const job = jobLabel('id' in outcome.job ? outcome.job : { name: outcome.job.name });
  const lines = [
    `Alation job ${safeLine(job)}${outcome.kind ? ` (${safeLine(outcome.kind)})` : ''}: ${headline(outcome)}`,
    '',
    row('Status', outcome.status),
  ];
  if (outcome.message) lines.push(row('Alation says', outcome.message));
  if (outcome.finishedAt) lines.push(row('Finished at', `${outcome.finishedAt}${outcome.durationSeconds !== null ? ` (ran ${outcome.durationSeconds} s)` : ''}`));
  lines.push(row('Watched', `${outcome.polls} check${outcome.polls === 1 ? '' : 's'} from ${outcome.firstSeenAt} to ${outcome.publishedAt}`));
  const counts = [
    result.updatedObjects !== null && `${result.updatedObjects} updated`,
    result.numberReceived !== null && `${result.numberReceived} received`,
    result.newEventsIngested !== null && `${result.newEventsIngested} new events ingested`,
    result.previouslyIngestedSkipped !== null && `${result.previouslyIngestedSkipped} previously ingested skipped`,
    result.errorsIgnored !== null && `${result.errorsIgnored} errors ignored`,
  ].filter(Boolean);
  if (counts.length > 0) lines.push(row('Counts', counts.join(', ')));
  if (result.error) lines.push(row('Error', result.error));
  if (outcome.lastError && outcome.status !== 'successful') {
    lines.push(row('Last check error', `${outcome.lastError.errorClass}: ${outcome.lastError.message}`));
  }
  if (outcome.followUpJobIds.length > 0) lines.push(row('Follow-up jobs', `${outcome.followUpJobIds.join(', ')}${outcome.followUpsWatched ? ' (watched)' : ''}`));
  if (outcome.parent) lines.push(row('Follows job', jobLabel(outcome.parent.job)));
  if (outcome.chain) {
    lines.push('', `Chain of ${outcome.chain.jobs.length} jobs, ${outcome.chain.status}:`);
    for (const j of outcome.chain.jobs) lines.push(`  - ${'  '.repeat(j.depth)}${jobLabel(j.job)}: ${j.status}${j.hasErrors ? ' (with errors)' : ''}`);
  }
  if (result.errorObjectCount > 0) {
    lines.push('', `Error objects (${result.errorObjectCount}):`);
    for (const e of result.errorObjects.slice(0, EMAIL_MAX_ERROR_OBJECTS)) {
      const where = [e.line !== null && `line ${e.line}`, e.key !== null && `key ${e.key}`].filter(Boolean).join(', ');
      lines.push(`  - ${safeLine(`${where ? `${where}: ` : ''}${e.message}`)}`);
    }
    const shown = Math.min(result.errorObjects.length, EMAIL_MAX_ERROR_OBJECTS);
    if (shown < result.errorObjectCount) lines.push(`  … and ${result.errorObjectCount - shown} more`);
  }
  if (result.text) lines.push('', 'Result:', indent(result.text.slice(0, 2000)));
  if (outcome.context) lines.push('', row('Context', safeLine(JSON.stringify(outcome.context))));
  lines.push('', row('Notification id', outcome.notificationId));
  return `${lines.join('\n')}\n`;
}

function headline(outcome: Outcome): string {
  switch (outcome.status) {
    case 'successful':
      return outcome.hasErrors ? 'finished successfully, with errors' : 'finished successfully';
    case 'partially_successful':
      return 'finished, partially successful';
    case 'failed':
      return 'FAILED';
    case 'timed_out':
      return `still not finished after ${outcome.polls} checks; the watch deadline passed`;
    case 'not_found':
      return 'Alation does not know this job';
  }
}

function row(label: string, value: string): string {
  return `${`${label}:`.padEnd(LABEL_WIDTH)}${safeBlock(value, ' '.repeat(LABEL_WIDTH))}`;
}

function indent(text: string): string {
  return safeLines(text).map((line) => `  ${line}`).join('\n');
}
