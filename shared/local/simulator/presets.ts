import { formatFinishedMessage } from './finishedMessage';
import { JOB_STATUSES, type JobStatusBody } from './types';

/**
 * Named final responses, each a shape of `result` seen from real Alation bulk APIs
 * (see shared/reference/alation-jobs.md). "Job results are not standardised" (Allie-SDK docs),
 * so a client under test should meet every one of them.
 */

/** What a preset needs to know about the job it finishes. */
export interface PresetContext {
  /** Real time the job ran, creation to finish. */
  readonly durationMs: number;
  /** Epoch ms at which the job finished. */
  readonly finishedAtMs: number;
  /** Id of the second job the `followUp` preset names. */
  readonly followUpJobId: number;
}

/** A named final response. */
export interface Preset {
  /** `false` only for `neverFinishes`: the job answers `running` forever. */
  readonly finishes: boolean;
  readonly body: (context: PresetContext) => JobStatusBody;
}

/**
 * Body of a job that has not finished. No public source shows a real one; `msg: ""` and
 * `result: null` is the assumption recorded in alation-jobs.md.
 */
export const RUNNING_BODY: JobStatusBody = { status: JOB_STATUSES.running, msg: '', result: null };

const finishedMsg = (context: PresetContext): string =>
  formatFinishedMessage(context.durationMs, context.finishedAtMs);

/** All presets by name. Result strings are byte-for-byte what Python's `json.dumps` prints. */
export const PRESETS = {
  /** The reference page's success example: `result` is a JSON *string* with counts. */
  counts: {
    finishes: true,
    body: (context) => ({
      status: JOB_STATUSES.successful,
      msg: finishedMsg(context),
      result: '{"updated_objects": 2, "number_received": 2, "error_objects": [], "error": ""}',
    }),
  },
  /** The reference page's lookup-by-name example: `successful` yet carrying an error. */
  countsWithErrors: {
    finishes: true,
    body: (context) => ({
      status: JOB_STATUSES.successful,
      msg: finishedMsg(context),
      result:
        '{"updated_objects": 1, "number_received": 2, "error_objects": ["Line 1. Key: schema_b. Datasource id in key does not match the id in the request"], "error": "1 errors were ignored"}',
    }),
  },
  /** Query-log ingestion (push QLI API, looked up by id): `result` is plain text, not JSON. */
  qli: {
    finishes: true,
    body: (context) => ({
      status: JOB_STATUSES.successful,
      msg: finishedMsg(context),
      result: 'Bulk Query Ingestion Succeeded: 0 new events ingested, 1 previously-ingested events skipped.',
    }),
  },
  /** `result` is a JSON array of human-readable strings (not a JSON-encoded string). */
  listOfStrings: {
    finishes: true,
    body: (context) => ({
      status: JOB_STATUSES.successful,
      msg: finishedMsg(context),
      result: ['[Succeeded: 2, Failed: 0, Total: 2]'],
    }),
  },
  /** Custom field values: a second job id is hidden in the result text. */
  followUp: {
    finishes: true,
    body: (context) => ({
      status: JOB_STATUSES.successful,
      msg: finishedMsg(context),
      result: `Updated values count: 1. Error count: 0. Legacy(Rosemeta) write job_id (can be tracked using jobs API): ${context.followUpJobId}`,
    }),
  },
  /** Relational integration: `result` is a list of objects, not a string. */
  objects: {
    finishes: true,
    body: (context) => ({
      status: JOB_STATUSES.successful,
      msg: finishedMsg(context),
      result: [
        {
          response: 'Created 1 object(s), updated 0 object(s)',
          mapping: [{ id: 101, key: '7.schema_a.table_a' }],
          errors: [],
        },
      ],
    }),
  },
  /** Dataflow: `result: null` and an empty `msg` even though the job finished. */
  nullResult: {
    finishes: true,
    body: () => ({ status: JOB_STATUSES.successful, msg: '', result: null }),
  },
  /** The status Allie-SDK models but the reference page does not list. */
  partiallySuccessful: {
    finishes: true,
    body: (context) => ({
      status: JOB_STATUSES.partiallySuccessful,
      msg: finishedMsg(context),
      result:
        '{"updated_objects": 1, "number_received": 2, "error_objects": ["Line 0. Key: 99.TestSchema.TestTable.index. Missing table"], "error": "1 errors were ignored"}',
    }),
  },
  /** A failed job; the counts shape with nothing updated and every object in error. */
  failed: {
    finishes: true,
    body: (context) => ({
      status: JOB_STATUSES.failed,
      msg: finishedMsg(context),
      result:
        '{"updated_objects": 0, "number_received": 2, "error_objects": ["Line 0. Key: 99.TestSchema.TestTable.index. Missing table", "Line 1. Key: schema_b. Datasource id in key does not match the id in the request"], "error": "2 errors were ignored"}',
    }),
  },
  /** The hung job Allie-SDK users report: `running` forever, so only a deadline ends the wait. */
  neverFinishes: {
    finishes: false,
    body: () => RUNNING_BODY,
  },
} as const satisfies Record<string, Preset>;

/** Name of one of {@link PRESETS}. */
export type PresetName = keyof typeof PRESETS;

/** Every preset name, for validation and help texts. */
export const PRESET_NAMES = Object.keys(PRESETS) as readonly PresetName[];

/** Narrows an arbitrary string to a {@link PresetName}. */
export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}
