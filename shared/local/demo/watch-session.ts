import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { jobKey, jobLabel } from '../../alation/job-identifier';
import { enqueueJob } from '../../contracts/enqueue-job';
import { validateJobReference } from '../../contracts/job-reference';
import type { Outcome } from '../../contracts/outcome';
import { readOutcomeMessage } from '../../contracts/read-outcome';
import { startLocalJobWatch, type LocalJobWatch, type LocalJobWatchOptions } from '../job-watch';
import { compareOutcome, type Difference } from './compare-outcome';
import type { DemoJob } from './demo-jobs';
import { createLiveView } from './live-view';
import { renderDifferences, renderOutcomeTable, type OutcomeRow } from './outcome-table';
import { redirectProcessOutput } from './redirect-output';

/** A job a session enqueues; `expected` only in the demo. */
export type SessionJob = Pick<DemoJob, 'key' | 'message'> & Partial<Pick<DemoJob, 'description' | 'expected'>>;

/** Options of {@link runWatchSession}. */
export interface WatchSessionOptions {
  readonly alationBaseUrl: string;
  readonly tokenSecretValue: string | Record<string, unknown>;
  /** The function's tunables; `MAX_WATCH_SECONDS` must agree with `deadlineSeconds`. */
  readonly tunables: Readonly<Record<string, string>>;
  readonly deadlineSeconds: number;
  readonly jobs: readonly SessionJob[];
  /** Where the view and the table go: a `write` bound before any redirection, and whether it is a terminal. */
  readonly output: { readonly write: (text: string) => void; readonly tty: boolean };
  /** Directory for `outcomes.jsonl` and `handler.log`; created if missing. */
  readonly outDir: string;
  /** Aborts the session (Ctrl-C): everything is stopped and what arrived so far is reported. */
  readonly signal?: AbortSignal;
  /** Time past the deadline to wait for the last outcomes. @default 15 000 */
  readonly graceMs?: number;
  /** Passed to the local watcher (visibility timeout, batch size, …). */
  readonly watch?: Partial<Pick<LocalJobWatchOptions, 'batchSize' | 'visibilityTimeoutSeconds' | 'maxReceiveCount' | 'functionTimeoutMs'>>;
  /** @default startLocalJobWatch */
  readonly startWatch?: typeof startLocalJobWatch;
  /** Send the handler's stdout/stderr (Powertools logs, EMF metrics) to `handler.log`. @default true */
  readonly captureHandlerLogs?: boolean;
  /** The live view's refresh period. @default 250 ms on a TTY, 5 000 ms otherwise */
  readonly refreshMs?: number;
  /**
   * Called once every job is resolved (or the time is up), with everything still running; the
   * session stops the stack only when it returns (`npm start -- --stay` waits for Ctrl-C here).
   */
  readonly stay?: (watch: LocalJobWatch) => Promise<void>;
}

/** What a session saw. */
export interface WatchSessionResult {
  readonly rows: readonly OutcomeRow[];
  /** Every outcome received, in arrival order (also in `outcomesFile`). */
  readonly outcomes: readonly Outcome[];
  /** Outcomes or dead letters that belong to no enqueued job. */
  readonly unexpected: readonly string[];
  /** Every job got its outcome (or its dead letter) before the end. */
  readonly complete: boolean;
  readonly interrupted: boolean;
  /** Demo: every job matched its expectation, nothing unexpected arrived. */
  readonly asExpected: boolean;
  readonly outcomesFile: string;
  readonly handlerLogFile: string;
  readonly durationMs: number;
}

interface Observed {
  outcomes: Outcome[];
  deadLetterReasons: string[];
  /** Chain verdicts, when the job is a chain's root. */
  verdicts: Outcome[];
}

/** After the last expected outcome, listen this long more so a duplicate would show. */
const DUPLICATE_WINDOW_MS = 1_500;

/**
 * One local run of the whole watcher: starts the AWS stand-ins and the real handler behind a
 * local event source mapping, enqueues the jobs, shows progress while outcomes arrive on the
 * outcome queue (and refused messages on the DLQ), writes every outcome to a JSON-lines file,
 * prints the final table, and stops everything it started — also when aborted or on error.
 */
export async function runWatchSession(options: WatchSessionOptions): Promise<WatchSessionResult> {
  const started = Date.now();
  const { write, tty } = options.output;
  mkdirSync(options.outDir, { recursive: true });
  const outcomesFile = join(options.outDir, 'outcomes.jsonl');
  const handlerLogFile = join(options.outDir, 'handler.log');
  writeFileSync(outcomesFile, '');
  writeFileSync(handlerLogFile, '');

  // Follow-ups the watcher enqueued that the session did not list are added as they arrive.
  const jobs: SessionJob[] = [...options.jobs];
  const labels = new Map(jobs.map((job) => [job.key, displayName(job)]));
  const observed = new Map<string, Observed>(jobs.map((job) => [job.key, { outcomes: [], deadLetterReasons: [], verdicts: [] }]));
  const enqueuedAt = new Map<string, Date>();
  const rawBodies = new Map<string, string>();
  const outcomes: Outcome[] = [];
  const unexpected: string[] = [];
  const byStatus: Record<string, number> = {};
  // A chain's root is resolved once its verdict is in, too: the chain's last word.
  const awaitsVerdict = (o: Observed): boolean => o.outcomes[0]?.followUpsWatched === true && !o.outcomes[0].parent && o.verdicts.length === 0;
  const isResolved = (o: Observed): boolean => (o.outcomes.length > 0 || o.deadLetterReasons.length > 0) && !awaitsVerdict(o);
  const finishedCount = (): number => [...observed.values()].filter(isResolved).length;

  const redirection = options.captureHandlerLogs === false ? undefined : redirectProcessOutput(handlerLogFile);
  let watch: LocalJobWatch | undefined;
  let view: ReturnType<typeof createLiveView> | undefined;
  let interrupted = false;
  try {
    watch = await (options.startWatch ?? startLocalJobWatch)({
      alationBaseUrl: options.alationBaseUrl,
      tokenSecretValue: options.tokenSecretValue,
      tunables: options.tunables,
      ...options.watch,
    });
    const { sqs } = watch.aws.clients();
    const mapping = watch.mapping;

    for (const job of options.jobs) {
      enqueuedAt.set(job.key, new Date());
      if ('followUpOf' in job.message) continue; // the watcher enqueues it when its parent ends
      if ('reference' in job.message) await enqueueJob(sqs, watch.resources.jobQueue.url, job.message.reference);
      else {
        rawBodies.set(job.message.rawBody, job.key);
        await sqs.send(new SendMessageCommand({ QueueUrl: watch.resources.jobQueue.url, MessageBody: job.message.rawBody }));
      }
    }

    view = createLiveView({
      write,
      tty,
      ...(options.refreshMs !== undefined ? { intervalMs: options.refreshMs } : {}),
      snapshot: () => ({
        elapsedMs: Date.now() - started,
        deadlineSeconds: options.deadlineSeconds,
        watched: observed.size,
        finished: finishedCount(),
        byStatus,
        polls: mapping.stats().records,
        batches: mapping.stats().batches,
      }),
    });

    const onOutcome = (body: string): void => {
      let outcome: Outcome;
      try {
        outcome = readOutcomeMessage(body);
      } catch (error) {
        unexpected.push(`outcome queue: ${(error as Error).message}`);
        return;
      }
      outcomes.push(outcome);
      appendFileSync(outcomesFile, `${JSON.stringify(outcome)}\n`);
      const key = jobKey(outcome.job);
      if (!observed.has(key) && outcome.parent && !outcome.chain) {
        const follows = jobKey(outcome.parent.job);
        const job: SessionJob = { key, description: `follow-up of ${labels.get(follows) ?? follows}`, message: { followUpOf: follows } };
        jobs.push(job);
        labels.set(key, displayName(job));
        observed.set(key, { outcomes: [], deadLetterReasons: [], verdicts: [] });
        enqueuedAt.set(key, enqueuedAt.get(follows) ?? new Date(started));
      }
      const entry = observed.get(key);
      if (entry && outcome.chain) {
        entry.verdicts.push(outcome);
        view?.event(`${jobLabel(outcome.job)} chain of ${outcome.chain.jobs.length} jobs → ${outcome.status}`);
        return;
      }
      if (!entry) {
        unexpected.push(`outcome for ${key} (${outcome.status}), a job that was not enqueued`);
        return;
      }
      entry.outcomes.push(outcome);
      byStatus[outcome.status] = (byStatus[outcome.status] ?? 0) + 1;
      view?.event(`${jobLabel(outcome.job)} → ${outcome.status} after ${outcome.polls} poll${outcome.polls === 1 ? '' : 's'}`);
    };
    const onDeadLetter = (message: Message): void => {
      const body = message.Body ?? '';
      const reason = message.MessageAttributes?.reason?.StringValue ?? '(no reason attribute)';
      const key = rawBodies.get(body) ?? keyOfReference(body);
      const entry = key === undefined ? undefined : observed.get(key);
      if (!entry) {
        unexpected.push(`dead letter ${JSON.stringify(body.slice(0, 80))}: ${reason}`);
        return;
      }
      entry.deadLetterReasons.push(reason);
      byStatus.dead_lettered = (byStatus.dead_lettered ?? 0) + 1;
      view?.event(`${labels.get(key!) ?? key} → dead-lettered: ${reason}`);
    };

    const giveUpAt = started + options.deadlineSeconds * 1000 + (options.graceMs ?? 15_000);
    let allResolvedAt: number | undefined;
    while (!options.signal?.aborted && Date.now() < giveUpAt) {
      if (allResolvedAt !== undefined && Date.now() - allResolvedAt >= DUPLICATE_WINDOW_MS) break;
      const [fromOutcomes, fromDlq] = await Promise.all([
        receiveAndDelete(sqs, watch.resources.outcomeQueue.url, options.signal),
        receiveAndDelete(sqs, watch.resources.deadLetterQueue.url, options.signal),
      ]);
      fromOutcomes.forEach((m) => onOutcome(m.Body ?? ''));
      fromDlq.forEach(onDeadLetter);
      if (allResolvedAt === undefined && finishedCount() === observed.size) allResolvedAt = Date.now();
    }
    interrupted = options.signal?.aborted ?? false;
    if (options.stay && !interrupted) {
      view?.stop();
      await options.stay(watch);
    }
  } finally {
    view?.stop();
    try {
      await watch?.stop();
    } finally {
      redirection?.restore();
    }
  }

  const rows: OutcomeRow[] = jobs.flatMap((job) => {
    const seen = observed.get(job.key)!;
    const differences: Difference[] | undefined = job.expected ? compareOutcome(job.expected, seen) : undefined;
    const row: OutcomeRow = {
      job: displayName(job),
      ...(job.description !== undefined ? { description: job.description } : {}),
      ...(seen.outcomes[0] ? { outcome: seen.outcomes[0] } : {}),
      statusWithoutOutcome: seen.deadLetterReasons.length > 0 ? 'dead_lettered' : '(none)',
      enqueuedAt: enqueuedAt.get(job.key) ?? new Date(started),
      ...(differences ? { differences } : {}),
    };
    const verdict = seen.verdicts[0];
    if (!verdict && !job.expected?.chain) return [row];
    // The chain's verdict, on a row of its own under its root.
    const chainDifferences = differences?.filter((d) => d.field.startsWith('chain'));
    return [
      row,
      {
        job: `${displayName(job)} chain`,
        description: 'the chain verdict',
        ...(verdict ? { outcome: verdict } : {}),
        statusWithoutOutcome: '(none)',
        enqueuedAt: row.enqueuedAt,
        ...(chainDifferences ? { differences: chainDifferences } : {}),
      },
    ];
  });
  const complete = [...observed.values()].every(isResolved);
  const asExpected = complete && unexpected.length === 0 && rows.every((r) => r.differences === undefined || r.differences.length === 0);

  write(`\n${renderOutcomeTable(rows)}`);
  const differences = renderDifferences(rows);
  if (differences) write(`\nNot as expected:\n${differences}`);
  if (unexpected.length > 0) write(`\nUnexpected:\n${unexpected.map((u) => `  ${u}\n`).join('')}`);
  write(`\nOutcomes (JSON lines): ${outcomesFile}\nHandler logs:          ${handlerLogFile}\n`);

  return { rows, outcomes, unexpected, complete, interrupted, asExpected, outcomesFile, handlerLogFile, durationMs: Date.now() - started };
}

/** `#1` for ids, the name for names, `(invalid message)` for raw bodies. */
function displayName(job: SessionJob): string {
  if ('rawBody' in job.message) return `(invalid) ${job.message.rawBody}`;
  if ('followUpOf' in job.message) return job.key.startsWith('id:') ? `#${job.key.slice(3)}` : job.key.replace(/^name:/, '');
  return jobLabel(validateJobReference(job.message.reference).job);
}

/** The job a dead-lettered body refers to, when it is a valid reference (redriven after failures). */
function keyOfReference(body: string): string | undefined {
  try {
    return jobKey(validateJobReference(JSON.parse(body)).job);
  } catch {
    return undefined;
  }
}

/** One long poll (1 s) of a queue; received messages are deleted at once. */
async function receiveAndDelete(sqs: SQSClient, queueUrl: string, signal: AbortSignal | undefined): Promise<Message[]> {
  if (signal?.aborted) return [];
  try {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
      signal ? { abortSignal: signal } : {},
    );
    if (Messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
      );
    }
    return Messages;
  } catch (error) {
    if (signal?.aborted) return [];
    throw error;
  }
}
