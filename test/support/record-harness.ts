/**
 * A processRecord harness: the real Alation client over a recording fetch, the real SQS
 * job queue over a recording SQS client, a recording publisher, a fake clock. Tests
 * assert on exactly what would cross each boundary.
 */
import type { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { createAlationClient } from '../../shared/alation/client';
import type { AlationJobStatus } from '../../shared/alation/job-status';
import { createSqsJobQueue } from '../../shared/aws/job-queue';
import type { OutcomePublisher } from '../../shared/aws/outcome-publisher';
import { createSecretTokenProvider } from '../../shared/aws/token-provider';
import { parseJobReferenceBody, serializeJobReference } from '../../shared/contracts/job-reference';
import type { Outcome } from '../../shared/contracts/outcome';
import { sealReference, type WatchStateKey } from '../../shared/watch/watch-state-seal';
import type { WatchPolicy } from '../../shared/watch/decide';
import type { RecordDependencies, RecordLog } from '../../shared/watch/process-record';

export const BASE_URL = 'https://alation.example.com';
export const JOB_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs';
export const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs-dlq';
export const START = new Date('2026-03-01T12:00:00.000Z');
/** The harness's watch-state key (the current one, unless a test rotates it). */
export const WATCH_STATE_KEY: WatchStateKey = Buffer.from('harness-watch-state-key-0123456789abcdef');

/** A body as the watcher itself would re-send it: sealed with `key`. */
export function sealedBody(body: Record<string, unknown>, key: WatchStateKey = WATCH_STATE_KEY): string {
  return serializeJobReference(sealReference(parseJobReferenceBody(JSON.stringify(body)), key));
}

export type AlationReply = AlationJobStatus | { httpStatus: number; body: unknown; headers?: Record<string, string> };

export interface Harness {
  readonly deps: RecordDependencies;
  readonly alationRequests: { url: string; token: string | null }[];
  readonly sent: SendMessageCommand['input'][];
  readonly published: Outcome[];
  readonly logs: { level: string; message: string; keys: Record<string, unknown>; extra: Record<string, unknown> }[];
  readonly counters: Record<string, unknown[]>;
  secretReads: number;
  secretValue: string;
  /** The watch-state keys the harness hands out; a test may rotate or break them. */
  keys: { current: WatchStateKey | Error; previous: WatchStateKey | null };
  clock: Date;
  failNextSend?: Error;
  publishResult?: { published: boolean; messageId: string } | Error;
}

export const policy: WatchPolicy = { initialDelaySeconds: 1, maxDelaySeconds: 300, growth: 0.25, jitter: 0, maxWatchSeconds: 3600 };

export function createHarness(replies: (url: string, token: string | null) => AlationReply): Harness {
  const harness = {
    alationRequests: [],
    sent: [],
    published: [],
    logs: [],
    counters: {},
    secretReads: 0,
    secretValue: 'token-v1',
    keys: { current: WATCH_STATE_KEY, previous: null },
    clock: START,
  } as unknown as Harness & { deps: RecordDependencies };

  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const token = new Headers(init?.headers).get('TOKEN');
    harness.alationRequests.push({ url, token });
    const reply = replies(url, token);
    if ('httpStatus' in reply) {
      return new Response(JSON.stringify(reply.body), { status: reply.httpStatus, headers: reply.headers });
    }
    return Response.json(reply);
  };
  const count = (name: string) => (value: unknown = 1) => {
    (harness.counters[name] ??= []).push(value);
  };
  const forRecord = (keys: Record<string, unknown>): RecordLog => {
    const at = (level: string) => (message: string, extra: Record<string, unknown> = {}) =>
      harness.logs.push({ level, message, keys, extra });
    return { info: at('info'), warn: at('warn'), error: at('error') };
  };
  const publisher: OutcomePublisher = {
    async publish(outcome) {
      const result = harness.publishResult ?? { published: true, messageId: 'sns-1' };
      if (result instanceof Error) throw result;
      harness.published.push(outcome);
      return result;
    },
  };
  const sqs = {
    send: async (command: SendMessageCommand) => {
      if (harness.failNextSend) {
        const error = harness.failNextSend;
        harness.failNextSend = undefined;
        throw error;
      }
      harness.sent.push(command.input);
      return { MessageId: `m-${harness.sent.length}` };
    },
  };

  harness.deps = {
    alation: createAlationClient({ baseUrl: BASE_URL, timeoutMs: 1000, fetch: fetch as typeof globalThis.fetch, clock: () => 0 }),
    tokens: createSecretTokenProvider({
      secretId: 'alation-token',
      secrets: {
        get: async () => {
          harness.secretReads++;
          return harness.secretValue;
        },
      },
      mint: async () => 'minted',
    }),
    jobQueue: createSqsJobQueue({ sqs: sqs as never, jobQueueUrl: JOB_QUEUE_URL, deadLetterQueueUrl: DLQ_URL }),
    publisher,
    policy,
    watchStateKeys: {
      current: async () => {
        if (harness.keys.current instanceof Error) throw harness.keys.current;
        return harness.keys.current;
      },
      previous: async () => harness.keys.previous,
    },
    now: () => harness.clock,
    random: () => 0.5,
    metrics: {
      check: count('check'),
      alationError: count('alationError'),
      requeued: count('requeued'),
      outcome: count('outcome'),
      duplicateSuppressed: count('duplicateSuppressed'),
      invalidMessage: count('invalidMessage'),
      forgedWatchState: count('forgedWatchState'),
    },
    forRecord,
  };
  return harness;
}

/** An SQS record as Lambda's event source mapping delivers it. */
export function sqsRecord(body: unknown, messageId = 'msg-1'): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(START.getTime()),
      SenderId: 'AIDA',
      ApproximateFirstReceiveTimestamp: String(START.getTime()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:jobs',
    awsRegion: 'us-east-1',
  };
}
