import * as z from 'zod/mini';
import { JobReferenceBodySchema } from './job-reference';
import { OutcomeSchema } from './outcome';

const ID_BASE = 'urn:alation-job-watch:schema';

/**
 * The job reference v1 as JSON Schema (draft 2020-12), for producers in other languages.
 * "Exactly one identifier" and the size limits are checks in code that JSON Schema
 * cannot derive from the zod schema, so the first is added by hand and the second documented.
 */
export function jobReferenceJsonSchema(): Record<string, unknown> {
  return {
    $id: `${ID_BASE}:job-reference:v1`,
    title: 'alation-job-watch job reference v1',
    description:
      'SQS message body naming one Alation job to watch. Exactly one of jobId, jobName, job_id, job_name. ' +
      '`context` must serialize to at most 8 KiB; the whole body to at most 32 KiB. `watch` and `parent` are written by the watcher; producers omit them.',
    ...z.toJSONSchema(JobReferenceBodySchema, { io: 'input', target: 'draft-2020-12' }),
    oneOf: ['jobId', 'job_id', 'jobName', 'job_name'].map((field) => ({ required: [field] })),
  };
}

/** The outcome v1 as JSON Schema (draft 2020-12), for subscribers. */
export function outcomeJsonSchema(): Record<string, unknown> {
  return {
    $id: `${ID_BASE}:job-outcome:v1`,
    title: 'alation-job-watch job outcome v1',
    description: 'The JSON body of every outcome notification published to the SNS topic.',
    ...z.toJSONSchema(OutcomeSchema, { io: 'output', target: 'draft-2020-12' }),
  };
}

/** Where the committed schema files live, relative to the repository root. */
export const JSON_SCHEMA_FILES = {
  'schemas/job-reference.v1.schema.json': jobReferenceJsonSchema,
  'schemas/job-outcome.v1.schema.json': outcomeJsonSchema,
} as const;

/** The text of a schema file as committed: stable key order, two-space indent, final newline. */
export function renderJsonSchema(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
