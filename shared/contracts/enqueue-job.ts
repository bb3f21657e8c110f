import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { InvalidJobReferenceError } from '../errors';
import {
  FUNCTION_OWNED_FIELDS,
  serializeJobReference,
  validateJobReference,
  type FunctionOwnedField,
  type JobReference,
  type JobReferenceBody,
} from './job-reference';

/** What an upstream Lambda passes: a job reference without the watcher's own state. */
export type EnqueueJobInput = Omit<JobReferenceBody, FunctionOwnedField | 'seal' | 'version'>;

/** Fields a producer may not write: the watcher's own, and the seal that vouches for them. */
const WATCHER_ONLY_FIELDS: readonly string[] = [...FUNCTION_OWNED_FIELDS, 'seal'];

export interface EnqueuedJob {
  readonly messageId: string;
  /** The reference as the watcher will read it (name decoded, canonical field names). */
  readonly reference: JobReference;
}

/**
 * Validates a job reference and sends it to the job queue: the producer side of the
 * contract, for upstream Lambdas that just called an Alation bulk API.
 *
 * @example
 * const { job_name } = await lineageApiResponse.json();
 * await enqueueJob(sqs, process.env.JOB_QUEUE_URL!, { jobName: job_name, kind: 'lineage', context: { uploadId } });
 *
 * @throws InvalidJobReferenceError before anything is sent, naming each bad field.
 */
export async function enqueueJob(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  input: EnqueueJobInput,
): Promise<EnqueuedJob> {
  const owned = input !== null && typeof input === 'object' ? WATCHER_ONLY_FIELDS.filter((field) => Object.hasOwn(input, field)) : [];
  if (owned.length > 0) {
    throw new InvalidJobReferenceError(owned.map((field) => ({ field, problem: 'is written by the watcher; producers leave it out' })));
  }
  const reference = validateJobReference(input);
  // The name goes out as the producer gave it: the watcher decodes it once, on receipt.
  const rawName = input.jobName ?? input.job_name;
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: serializeJobReference(rawName === undefined ? reference : { ...reference, job: { name: rawName } }),
    }),
  );
  return { messageId: sent.MessageId ?? '', reference };
}
