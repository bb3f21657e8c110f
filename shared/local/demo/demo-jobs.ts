import type { EnqueueJobInput } from '../../contracts/enqueue-job';
import type { OutcomeStatus } from '../../contracts/outcome';
import type { JobDefinition } from '../simulator';

/** What the demo expects for a job: an outcome with these fields, or the DLQ. */
export interface DemoExpectation {
  /** An outcome status, or `dead_lettered` for a message the watcher must refuse. */
  readonly status: OutcomeStatus | 'dead_lettered';
  readonly hasErrors?: boolean;
  readonly lastStatus?: string | null;
  readonly followUpJobIds?: readonly number[];
  /** Fields of `outcome.result` that must equal these values. */
  readonly result?: Readonly<Partial<Record<DemoResultField, number | null>>>;
  /** For `dead_lettered`: the start of the `reason` message attribute. */
  readonly reasonStartsWith?: string;
  /** A follow-up: the key of the job that named it (`outcome.parent.job`). */
  readonly parent?: string;
  /** A chain's root: its one verdict, with this status and this many jobs. */
  readonly chain?: { readonly status: OutcomeStatus; readonly jobs: number };
}

/** The counts of `outcome.result` the demo checks and its table shows. */
export type DemoResultField =
  | 'updatedObjects'
  | 'numberReceived'
  | 'errorObjectCount'
  | 'errorsIgnored'
  | 'newEventsIngested'
  | 'previouslyIngestedSkipped';

/** One demo job: how the simulator plays it, what is enqueued, what must come out. */
export interface DemoJob {
  /** `id:N`, `name:…` (as `jobKey` spells it), or `invalid:N` for a refused message. */
  readonly key: string;
  /** Shown in the table: what the job demonstrates. */
  readonly description: string;
  /** The simulated Alation job; absent for a job Alation does not know and for invalid messages. */
  readonly simulator?: JobDefinition;
  /**
   * A valid reference for `enqueueJob`, a raw body that bypasses validation, or (for a
   * follow-up job) nothing to send: the watcher enqueues it when its parent (this key) ends.
   */
  readonly message: { readonly reference: EnqueueJobInput } | { readonly rawBody: string } | { readonly followUpOf: string };
  readonly expected: DemoExpectation;
}

/** Options of {@link demoJobs}. */
export interface DemoJobsOptions {
  /**
   * The watch deadline (`MAX_WATCH_SECONDS`). Job durations are fractions of it, so a shortened
   * demo (tests) keeps the same order of events: quick jobs, slow jobs, then the timeout.
   * @default 40
   */
  readonly deadlineSeconds?: number;
}

/** The deadline of `npm start`: long enough for slow jobs, short enough for a one-minute demo. */
export const DEFAULT_DEMO_DEADLINE_SECONDS = 40;

/**
 * Below this, the unknown job's five "not found" checks (about 1 s apart) would not fit
 * before the deadline, and it would end `timed_out` instead of `not_found`.
 */
export const MIN_DEMO_DEADLINE_SECONDS = 8;

/** Id of the job the `followUp` job's result names; the simulator creates it. */
const FOLLOW_UP_JOB_ID = 70;
/** An id the simulator does not know. */
const UNKNOWN_JOB_ID = 404;

/**
 * The demo set: every shape of outcome the watcher produces, by id and by name, quick and slow.
 * Pure: the same deadline gives the same jobs.
 */
export function demoJobs(options: DemoJobsOptions = {}): DemoJob[] {
  const deadline = options.deadlineSeconds ?? DEFAULT_DEMO_DEADLINE_SECONDS;
  const ms = (fractionOfDeadline: number) => Math.round(fractionOfDeadline * deadline * 1000);
  const name = (suffix: string) => `${suffix}_demo#1`;
  return [
    {
      key: 'id:1',
      description: 'quick, successful',
      simulator: { id: 1, durationMs: 0, preset: 'counts' },
      message: { reference: { jobId: 1, kind: 'lineage' } },
      expected: { status: 'successful', hasErrors: false, result: { updatedObjects: 2, numberReceived: 2, errorObjectCount: 0 } },
    },
    {
      key: `name:${name('MetadataExtraction')}`,
      description: 'by name, successful with error objects',
      simulator: { id: 2, name: name('MetadataExtraction'), durationMs: ms(0.08), preset: 'countsWithErrors' },
      message: { reference: { jobName: name('MetadataExtraction'), kind: 'update-technical-metadata', context: { uploadId: 'u-2' } } },
      expected: { status: 'successful', hasErrors: true, result: { updatedObjects: 1, errorObjectCount: 1, errorsIgnored: 1 } },
    },
    {
      key: 'id:3',
      description: 'query-log ingestion (text result)',
      simulator: { id: 3, durationMs: ms(0.05), preset: 'qli' },
      message: { reference: { jobId: '3', kind: 'query-log' } },
      expected: { status: 'successful', result: { newEventsIngested: 0, previouslyIngestedSkipped: 1 } },
    },
    {
      key: 'id:4',
      description: 'partially successful',
      simulator: { id: 4, durationMs: ms(0.2), preset: 'partiallySuccessful' },
      message: { reference: { jobId: 4, kind: 'lineage' } },
      expected: { status: 'partially_successful', hasErrors: true, result: { updatedObjects: 1, errorObjectCount: 1 } },
    },
    {
      key: `name:${name('bulk_api_job_failed')}`,
      description: 'by name, failed',
      simulator: { id: 5, name: name('bulk_api_job_failed'), durationMs: ms(0.12), preset: 'failed' },
      message: { reference: { jobName: name('bulk_api_job_failed'), kind: 'lineage' } },
      expected: { status: 'failed', hasErrors: true, result: { updatedObjects: 0, errorObjectCount: 2 } },
    },
    {
      key: 'id:6',
      description: 'slow, successful (list result)',
      simulator: { id: 6, durationMs: ms(0.4), preset: 'objects' },
      message: { reference: { jobId: 6, kind: 'relational-integration' } },
      expected: { status: 'successful', hasErrors: false },
    },
    {
      key: 'id:7',
      description: 'slow, names a follow-up job',
      simulator: { id: 7, durationMs: ms(0.5), preset: 'followUp', followUpJobId: FOLLOW_UP_JOB_ID },
      message: { reference: { jobId: 7, kind: 'custom-field-values' } },
      expected: { status: 'successful', followUpJobIds: [FOLLOW_UP_JOB_ID], chain: { status: 'successful', jobs: 2 } },
    },
    {
      // The simulator creates it with #7 and runs it twice as long; the watcher enqueues it.
      key: `id:${FOLLOW_UP_JOB_ID}`,
      description: 'follow-up of #7, watched automatically',
      message: { followUpOf: 'id:7' },
      expected: { status: 'successful', parent: 'id:7', result: { updatedObjects: 2 } },
    },
    {
      key: 'id:8',
      description: 'never finishes: deadline passes',
      simulator: { id: 8, preset: 'neverFinishes' },
      message: { reference: { jobId: 8, kind: 'lineage' } },
      expected: { status: 'timed_out', hasErrors: true, lastStatus: 'running' },
    },
    {
      key: `id:${UNKNOWN_JOB_ID}`,
      description: 'unknown to Alation',
      message: { reference: { jobId: UNKNOWN_JOB_ID } },
      expected: { status: 'not_found', hasErrors: true },
    },
    {
      key: 'invalid:1',
      description: 'invalid message: to the DLQ',
      message: { rawBody: '{"jobId": "abc"}' },
      expected: { status: 'dead_lettered', reasonStartsWith: 'invalid job reference: jobId' },
    },
  ];
}
