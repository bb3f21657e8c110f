/**
 * Property-based: generated SQS bodies and generated Alation answers through the real record
 * processing (`processRecord`, the real Alation client on a generated `fetch`), with in-memory
 * queue and publisher. Whatever comes in, a record never throws (which would retry it forever
 * into the DLQ without a reason), has exactly one effect, and never carries the token out.
 */
import type { SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAlationClient } from '../../shared/alation/client';
import type { JobQueue } from '../../shared/aws/job-queue';
import type { OutcomePublisher } from '../../shared/aws/outcome-publisher';
import { serializeJobReference, type JobReference } from '../../shared/contracts/job-reference';
import { OutcomeSchema, type Outcome } from '../../shared/contracts/outcome';
import { processRecord, type RecordDependencies } from '../../shared/watch/process-record';

const TOKEN = 'tok-6f1c2e0a9b7d4c3e8f5a1b2c3d4e5f60';
const NOW = new Date('2026-03-01T12:00:00.000Z');

type Effect = { kind: 'dlq'; reason: string; body: string } | { kind: 'requeue'; delay: number; body: string } | { kind: 'publish'; outcome: Outcome };

function harness(fetchImpl: typeof fetch) {
  const effects: Effect[] = [];
  const logs: string[] = [];
  const jobQueue: JobQueue = {
    requeue: async (reference, delay) => void effects.push({ kind: 'requeue', delay, body: serializeJobReference(reference) }),
    deadLetter: async (body, reason) => void effects.push({ kind: 'dlq', reason, body }),
  };
  const publisher: OutcomePublisher = {
    publish: async (outcome) => {
      effects.push({ kind: 'publish', outcome });
      return { published: true, messageId: 'm' };
    },
  };
  const log = (level: string) => (message: string, extra?: Record<string, unknown>) => void logs.push(JSON.stringify({ level, message, ...extra }));
  const deps: RecordDependencies = {
    alation: createAlationClient({ baseUrl: 'https://alation.example.com', timeoutMs: 1000, fetch: fetchImpl }),
    tokens: { getToken: async () => TOKEN, invalidate: () => undefined },
    jobQueue,
    publisher,
    policy: { initialDelaySeconds: 1, maxDelaySeconds: 300, growth: 0.75, jitter: 0.1, maxWatchSeconds: 3600 },
    watchStateKeys: { current: async () => Buffer.from('property-test-watch-state-key-0123456789'), previous: async () => null },
    now: () => NOW,
    random: () => 0.5,
    metrics: { check: () => undefined, alationError: () => undefined, requeued: () => undefined, outcome: () => undefined, duplicateSuppressed: () => undefined, invalidMessage: () => undefined, forgedWatchState: () => undefined },
    forRecord: () => ({ info: log('info'), warn: log('warn'), error: log('error') }),
  };
  return { deps, effects, logs };
}

const record = (body: string): SQSRecord => ({ messageId: 'msg-1', body } as SQSRecord);

/** Bodies near the contract (right and wrong field names, types and sizes) and far from it. */
const bodyArbitrary = fc.oneof(
  fc.string(),
  fc.json(),
  fc
    .record(
      {
        jobId: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
        job_id: fc.oneof(fc.nat(), fc.stringMatching(/^[0-9]{0,20}$/)),
        jobName: fc.oneof(fc.string(), fc.string({ minLength: 1000, maxLength: 1100 }), fc.integer()),
        job_name: fc.string(),
        kind: fc.oneof(fc.string(), fc.string({ minLength: 120, maxLength: 140 }), fc.integer()),
        context: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
        version: fc.oneof(fc.constant(1), fc.integer()),
        watch: fc.jsonValue(),
        jobid: fc.integer(),
        baseUrl: fc.webUrl(),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
);

describe('processRecord on generated input', () => {
  it('puts every body either to the DLQ with a reason or into exactly one watch step, and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(bodyArbitrary, async (body) => {
        const { deps, effects } = harness(async () => Response.json({ status: 'successful', msg: '', result: null }));
        await processRecord(record(body), deps);
        expect(effects).toHaveLength(1);
        const [effect] = effects;
        if (effect!.kind === 'dlq') {
          expect(effect!.reason).toMatch(/^invalid job reference: \S/);
          expect(effect!.body).toBe(body);
        }
      }),
      { numRuns: 400 },
    );
  });

  const STATUSES = [200, 201, 202, 204, 301, 302, 400, 401, 403, 404, 405, 408, 409, 429, 500, 502, 503, 504];
  const answerArbitrary = fc.record({
    status: fc.constantFrom(...STATUSES),
    contentType: fc.constantFrom('application/json', 'text/html; charset=utf-8', 'text/plain', ''),
    retryAfter: fc.option(fc.oneof(fc.nat({ max: 5000 }).map(String), fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toUTCString())), { nil: undefined }),
    body: fc.oneof(
      fc
        .record({
          status: fc.oneof(fc.constantFrom('running', 'successful', 'failed', 'partially_successful', ''), fc.string(), fc.integer()),
          msg: fc.oneof(fc.string(), fc.constant('Job finished in 2.0 seconds at 2017-10-05 19:36:48.374593+00:00'), fc.jsonValue()),
          result: fc.oneof(fc.jsonValue(), fc.json(), fc.string()),
        }, { requiredKeys: [] })
        .map((v) => JSON.stringify(v)),
      fc.json(),
      fc.string(),
      fc.constant('<html><body>502 Bad Gateway</body></html>'),
      // An answer echoing the token back must not carry it any further.
      fc.constant(`{"detail": "bad token ${TOKEN}"}`),
      fc.constant(`{"status": "failed", "msg": "${TOKEN}", "result": "token ${TOKEN}"}`),
    ),
  });

  it('turns every Alation answer into exactly one requeue or one valid outcome, without the token', async () => {
    const reference: JobReference = {
      job: { name: 'MetadataExtraction#1_2017-10-05' },
      kind: 'lineage',
      context: { uploadId: 'u-1' },
      watch: { polls: 3, firstSeenAt: '2026-03-01T11:59:00.000Z', lastStatus: 'running', lastError: null, notFoundChecks: 0 },
    };
    await fc.assert(
      fc.asyncProperty(answerArbitrary, async (answer) => {
        const nullBody = answer.status === 204;
        const headers: Record<string, string> = {};
        if (answer.contentType) headers['content-type'] = answer.contentType;
        if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter.replace(/[^\x20-\x7e]/g, '');
        const { deps, effects, logs } = harness(async () => new Response(nullBody ? null : answer.body, { status: answer.status, headers }));
        await processRecord(record(serializeJobReference(reference)), deps);
        expect(effects).toHaveLength(1);
        const effect = effects[0]!;
        if (effect.kind === 'requeue') {
          expect(Number.isInteger(effect.delay) && effect.delay >= 1 && effect.delay <= 900).toBe(true);
          expect(effect.body).not.toContain(TOKEN);
        } else {
          expect(effect.kind).toBe('publish');
          if (effect.kind === 'publish') {
            expect(() => OutcomeSchema.parse(effect.outcome)).not.toThrow();
            // The outcome carries Alation's own answer (msg, result) on purpose; what must not
            // appear is a token the watcher put there: in errors and watch state.
            expect(JSON.stringify(effect.outcome.lastError ?? '')).not.toContain(TOKEN);
          }
        }
        expect(logs.join('\n')).not.toContain(TOKEN);
      }),
      { numRuns: 400 },
    );
  });
});
