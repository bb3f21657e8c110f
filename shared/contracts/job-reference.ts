import * as z from 'zod/mini';
import { InvalidJobReferenceError, type FieldIssue } from '../errors';
import { MAX_JOB_NAME_LENGTH, normaliseJobName, type JobIdentifier } from '../alation/job-identifier';
import { FollowUpParentSchema, type FollowUpParent } from './follow-up';
import { findUnsendableString } from './find-unsendable';
import { labelTextProblem, UNSENDABLE_PROBLEM } from './label-text';
import { JobReferenceLimits } from './limits';
import { WatchStateSchema, type WatchState } from './watch-state';

/** The version written into every body the project sends. */
export const JOB_REFERENCE_VERSION = 1;

const DIGITS = /^[1-9][0-9]*$/;

/**
 * The fields only the watcher writes: its watch state, and on a follow-up job the job it
 * follows. They are sealed with an HMAC (`seal`, see
 * `shared/watch/watch-state-seal.ts`); on a body whose seal does not verify they are dropped and
 * the body counts as a first sighting. Producers may not set them (`enqueueJob` refuses them).
 * A new field the watcher owns is added here, to {@link JobReference} and to the schema.
 */
export const FUNCTION_OWNED_FIELDS = ['watch', 'parent'] as const;
export type FunctionOwnedField = (typeof FUNCTION_OWNED_FIELDS)[number];

/** The longest seal accepted: `v1.` and a base64url HMAC-SHA256 are 46 characters. */
const MAX_SEAL_LENGTH = 128;

/** A check that a label (a job name, a kind) is text the watcher can repeat safely. */
const labelText = z.superRefine((text: string, ctx) => {
  const problem = labelTextProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: text });
});

const JOB_ID_PROBLEM = 'must be a positive integer (a number, or a string of digits)';
const jobIdField = z.union(
  [
    z.int({ error: JOB_ID_PROBLEM }).check(z.positive({ error: JOB_ID_PROBLEM })),
    z.string().check(
      z.regex(DIGITS, { error: JOB_ID_PROBLEM }),
      // Digits beyond 2^53 would silently name another job; non-digits are the regex's to report.
      z.refine((digits) => !DIGITS.test(digits) || Number.isSafeInteger(Number(digits)), { error: JOB_ID_PROBLEM }),
    ),
  ],
  { error: JOB_ID_PROBLEM },
);

const jobNameField = z.string({ error: 'must be a string' }).check(
  z.minLength(1, { error: 'must not be empty' }),
  z.maxLength(MAX_JOB_NAME_LENGTH, { error: `must be at most ${MAX_JOB_NAME_LENGTH} characters` }),
  z.refine((name) => name.trim().length > 0, { error: 'must not be blank' }),
  // A lone surrogate would make encodeURIComponent throw when the status URL is built.
  labelText,
);

/**
 * The SQS message body a producer sends, version 1 (the public input contract).
 * Exactly one of `jobId`, `job_id`, `jobName`, `job_name`; the snake_case names are
 * Alation's own, so a producer can forward Alation's response as it is.
 *
 * Written with `zod/mini`: the same checks as classic zod at a fraction of the bundle, which
 * is most of the function's cold start.
 */
export const JobReferenceBodySchema = z
  .strictObject({
    version: z.optional(z.literal(JOB_REFERENCE_VERSION, { error: `must be ${JOB_REFERENCE_VERSION}` })),
    jobId: z.optional(jobIdField),
    job_id: z.optional(jobIdField),
    jobName: z.optional(jobNameField),
    job_name: z.optional(jobNameField),
    kind: z.optional(
      z
        .string({ error: 'must be a string' })
        .check(
          z.maxLength(JobReferenceLimits.maxKindLength, { error: `must be at most ${JobReferenceLimits.maxKindLength} characters` }),
          // `kind` becomes an SNS message attribute: a lone surrogate there fails every Publish,
          // and one failing in the SDK's serialiser can corrupt the client's next Publish.
          labelText,
        ),
    ),
    context: z.optional(
      z.record(z.string(), z.unknown(), { error: 'must be a JSON object' }).check(
        z.refine((context) => jsonBytes(context) <= JobReferenceLimits.maxContextBytes, {
          error: `must serialize to at most ${JobReferenceLimits.maxContextBytes} bytes`,
        }),
        z.superRefine((context, ctx) => {
          const path = findUnsendableString(context);
          if (path !== undefined) ctx.addIssue({ code: 'custom', message: UNSENDABLE_PROBLEM, path, input: context });
        }),
      ),
    ),
    // Function-owned fields: written by the watcher only, never by producers (enqueueJob
    // refuses them; see FUNCTION_OWNED_FIELDS).
    watch: z.optional(WatchStateSchema),
    parent: z.optional(FollowUpParentSchema),
    /** HMAC over the canonical body without it; written by the watcher with its own fields. */
    seal: z.optional(z.string().check(z.maxLength(MAX_SEAL_LENGTH))),
  })
  .check(
    z.superRefine((body, ctx) => {
      const given = (['jobId', 'job_id', 'jobName', 'job_name'] as const).filter((k) => body[k] !== undefined);
      if (given.length === 0) {
        ctx.addIssue({ code: 'custom', path: [], message: 'one of jobId, jobName (or job_id, job_name) is required' });
      } else if (given.length > 1) {
        ctx.addIssue({ code: 'custom', path: [], message: `exactly one job identifier is allowed, got ${given.join(' and ')}` });
      }
    }),
  );

/** The body as a producer writes it (before validation). */
export type JobReferenceBody = z.input<typeof JobReferenceBodySchema>;

/** A validated job reference, normalised: one identifier, decoded name, nulls for absent fields. */
export interface JobReference {
  readonly job: JobIdentifier;
  readonly kind: string | null;
  readonly context: Readonly<Record<string, unknown>> | null;
  /** Null on the first check; set by the watcher when it re-sends the job. */
  readonly watch: WatchState | null;
  /**
   * Function-owned: on a follow-up job the watcher enqueued, the job that named it; null or
   * absent otherwise (optional so references built in code need not spell it).
   */
  readonly parent?: FollowUpParent | null;
  /**
   * The body's claim that the watcher wrote its own fields (an HMAC, see `watch-state-seal.ts`).
   * Absent on producers' bodies; a claim only, until verified.
   */
  readonly seal?: string;
}

/**
 * Validates an SQS message body. Never throws anything but {@link InvalidJobReferenceError},
 * whose message names each bad field and why.
 */
export function parseJobReferenceBody(body: unknown): JobReference {
  if (typeof body !== 'string' || body.trim() === '') {
    throw new InvalidJobReferenceError([{ field: '(body)', problem: 'is empty' }]);
  }
  const bytes = utf8Bytes(body);
  if (bytes > JobReferenceLimits.maxBodyBytes) {
    throw new InvalidJobReferenceError([
      { field: '(body)', problem: `is ${bytes} bytes; the limit is ${JobReferenceLimits.maxBodyBytes}` },
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidJobReferenceError([{ field: '(body)', problem: `is not JSON (${(error as Error).message})` }]);
  }
  return validateJobReference(json);
}

/** Validates an already-decoded job reference (what a producer passes to `enqueueJob`). */
export function validateJobReference(input: unknown): JobReference {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidJobReferenceError([
      { field: '(body)', problem: `must be a JSON object, got ${describeType(input)}` },
    ]);
  }
  const parsed = JobReferenceBodySchema.safeParse(input);
  if (!parsed.success) throw new InvalidJobReferenceError(parsed.error.issues.map(toFieldIssue));
  const body = parsed.data;
  const id = body.jobId ?? body.job_id;
  const name = body.jobName ?? body.job_name;
  return {
    // A name is decoded on the producer's message only: the watcher re-sends the decoded
    // name with its watch state, and decoding it again could change the job (`%2523` → `#`).
    job: id !== undefined ? { id: Number(id) } : { name: body.watch ? (name as string) : normaliseJobName(name as string) },
    kind: body.kind ?? null,
    context: body.context ?? null,
    watch: body.watch ?? null,
    ...(body.parent && { parent: body.parent }),
    ...(body.seal !== undefined && { seal: body.seal }),
  };
}

/** The body the project sends for a reference: canonical field names, version 1. */
export function serializeJobReference(reference: JobReference): string {
  const body: JobReferenceBody = {
    version: JOB_REFERENCE_VERSION,
    ...('id' in reference.job ? { jobId: reference.job.id } : { jobName: reference.job.name }),
    ...(reference.kind !== null && { kind: reference.kind }),
    ...(reference.context !== null && { context: reference.context as Record<string, unknown> }),
    ...(reference.watch !== null && { watch: reference.watch }),
    ...(reference.parent && { parent: reference.parent }),
    ...(reference.seal !== undefined && { seal: reference.seal }),
  };
  return JSON.stringify(body);
}

function toFieldIssue(issue: z.core.$ZodIssue): FieldIssue {
  const field = issue.path.length > 0 ? issue.path.join('.') : '(body)';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
    return { field, problem: `unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}` };
  }
  return { field, problem: issue.message };
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Serialized size; a value JSON cannot hold (a cycle, a BigInt) counts as too large. */
function jsonBytes(value: unknown): number {
  try {
    return utf8Bytes(JSON.stringify(value));
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
