/**
 * Follow-up chains end to end (issue 14): the real handler through the local event source
 * mapping (two concurrent "execution environments"), the Alation simulator and the local AWS
 * stand-ins, with the runtime killed at each point between a parent's end and its follow-up's
 * watch, and a root delivered twice. Every job must end in exactly one outcome and every
 * chain in exactly one verdict.
 */
import { writeFileSync } from 'node:fs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobKey } from '../../shared/alation/job-identifier';
import { chainItemId } from '../../shared/aws/chain-store';
import { loadConfig } from '../../shared/config';
import { enqueueJob } from '../../shared/contracts/enqueue-job';
import { serializeJobReference } from '../../shared/contracts/job-reference';
import type { Outcome } from '../../shared/contracts/outcome';
import { readOutcomeMessage } from '../../shared/contracts/read-outcome';
import { startEventSourceMapping, type EventSourceMapping } from '../../shared/local/esm-runner';
import { startLocalJobWatch, type LocalJobWatch } from '../../shared/local/job-watch';
import { drainQueue, type ReceivedMessage } from '../../shared/local/outcome-collector';
import { startAlationSimulator, type AlationSimulator, type JobDefinition } from '../../shared/local/simulator';
import { emptyFaultStats, environmentHandler, type AwsFaultPlan } from '../chaos/support/aws-faults';
import { captureLogs, type LogCapture } from '../chaos/support/log-capture';

const tracked = (...ids: number[]) => ids.map((id) => `Legacy(Rosemeta) write job_id (can be tracked using jobs API): ${id}`).join('. ');
const finalBody = (status: string, result: unknown) => ({ status, msg: 'Job finished in 1.0 seconds at 2026-01-01 00:00:00.000000+00:00', result }) as JobDefinition['body'];

/** Children first where their preset matters: the simulator then keeps them as defined. */
const JOBS: JobDefinition[] = [
  { id: 1, durationMs: 300, preset: 'followUp', followUpJobId: 10 },
  { id: 20, durationMs: 1500, preset: 'failed' },
  { id: 2, durationMs: 300, preset: 'followUp', followUpJobId: 20 },
  { id: 31, durationMs: 1500, preset: 'counts' },
  { id: 32, durationMs: 1500, preset: 'counts' },
  { id: 3, durationMs: 300, body: finalBody('successful', tracked(31, 32, 31)) },
  { id: 4, durationMs: 300, body: finalBody('successful', tracked(404_040)) },
  { id: 50, preset: 'neverFinishes' },
  { id: 5, durationMs: 300, preset: 'followUp', followUpJobId: 50 },
  // Still running when its parent is redelivered (after the visibility timeout), so the parent sends it again.
  { id: 60, durationMs: 9000, preset: 'counts' },
  { id: 6, durationMs: 300, preset: 'followUp', followUpJobId: 60 },
  { id: 7, durationMs: 300, preset: 'followUp', followUpJobId: 70 },
  { id: 8, durationMs: 300, preset: 'followUp', followUpJobId: 80 },
  { id: 9, durationMs: 300, preset: 'followUp', followUpJobId: 90 },
  { id: 13, durationMs: 300, preset: 'followUp', followUpJobId: 130 },
  { id: 11, durationMs: 300, body: finalBody('completed', '{"updated_objects": 1, "number_received": 1, "error_objects": [], "error": ""}') },
  { id: 12, durationMs: 300, body: finalBody('queued_for_write', null) },
];
const ROOTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13];
/** Each chain's jobs and the verdict it must end with. */
const CHAINS: Record<number, { jobs: number[]; status: string }> = {
  1: { jobs: [1, 10], status: 'successful' },
  2: { jobs: [2, 20], status: 'failed' },
  3: { jobs: [3, 31, 32], status: 'successful' },
  4: { jobs: [4, 404_040], status: 'not_found' },
  5: { jobs: [5, 50], status: 'timed_out' },
  6: { jobs: [6, 60], status: 'successful' },
  7: { jobs: [7, 70], status: 'successful' },
  8: { jobs: [8, 80], status: 'successful' },
  9: { jobs: [9, 90], status: 'successful' },
  13: { jobs: [13, 130], status: 'successful' },
};
/**
 * Killed between SNS accepting its outcome and the idempotency save: the documented
 * at-least-once window (docs/reliability.md), where a repeat with the same notificationId is allowed.
 */
const REPEATABLE = new Set([13]);
const ALL_JOBS = [...ROOTS, ...Object.values(CHAINS).flatMap((c) => c.jobs.slice(1))];

const has = (input: unknown, ...texts: string[]) => {
  const json = JSON.stringify(input);
  return texts.every((t) => json.includes(t));
};
/** Each crash point once: the runtime dies right after the named call went through. */
const CRASH_POINTS: Record<string, (call: { command: string; input: Readonly<Record<string, unknown>> }) => boolean> = {
  // The parent's end and its follow-up are in the chain (`m:` only in that write), the follow-up not yet sent.
  'after recording 8 in its chain': ({ command, input }) => command.startsWith('Update') && has(input, chainItemId({ id: 8 }), 'm:id:8', 'e:id:8'),
  // The follow-up was sent and not yet marked: the redelivery sends it again.
  // Re-sends and follow-ups go out as SendMessageBatch (shared/aws/job-queue.ts).
  'after sending follow-up 60': ({ command, input }) => command === 'SendMessageBatchCommand' && has(input, '\\"jobId\\":60', 'parent'),
  // The follow-up is sent and marked, the parent's outcome not yet published.
  'after marking follow-up 70 sent': ({ command, input }) => command.startsWith('Update') && has(input, 'q:id:70'),
  // The last job of chain 9 has ended in the chain, its own outcome and the verdict not yet published.
  'after recording 90 in its chain': ({ command, input }) => command.startsWith('Update') && has(input, chainItemId({ id: 9 }), 'm:id:90', 'e:id:90'),
  // The parent is published (its follow-up was sent before), the idempotency record not yet saved.
  "after publishing 13's outcome": ({ command, input }) => command === 'PublishCommand' && String(input.Subject).startsWith('Alation job #13 '),
};

// Small batches and room per invocation: on a loaded machine, ten records one at a time can
// outlast a short function timeout, and the whole batch would come back again and again.
const BATCH_SIZE = 4;
const FUNCTION_TIMEOUT_MS = 5000;
const VISIBILITY_TIMEOUT_SECONDS = 5;

let sim: AlationSimulator;
let watch: LocalJobWatch;
let logs: LogCapture;
const extraMappings: EventSourceMapping[] = [];
const fired = new Set<string>();
const stats = emptyFaultStats();
let outcomeMessages: ReceivedMessage[] = [];
let verdictMessages: ReceivedMessage[] = [];

beforeAll(async () => {
  logs = captureLogs();
  sim = await startAlationSimulator({ jobs: JOBS });
  const plan: AwsFaultPlan = {
    crashAfter: (call) => {
      for (const [label, matches] of Object.entries(CRASH_POINTS)) {
        if (!fired.has(label) && matches(call)) {
          fired.add(label);
          return true;
        }
      }
      return false;
    },
  };
  const handlerFor = (env: Readonly<Record<string, string>>) =>
    environmentHandler({ config: loadConfig(env), plan, stats, random: Math.random, functionTimeoutMs: FUNCTION_TIMEOUT_MS });
  watch = await startLocalJobWatch({
    alationBaseUrl: sim.url,
    tokenSecretValue: sim.accessToken,
    tunables: {
      POLL_INITIAL_DELAY_SECONDS: '1',
      POLL_MAX_DELAY_SECONDS: '1',
      // Room for the unknown follow-up's five "not found" checks on a loaded machine.
      MAX_WATCH_SECONDS: '12',
      ALATION_TIMEOUT_MS: '1000',
      // One record at a time, so the crash after 13's publish catches no other record between
      // its publish and its idempotency save (that window is crashes.test.ts's).
      RECORD_CONCURRENCY: '1',
      EXTRA_FINAL_STATUSES: 'completed:successful',
    },
    subscribers: [{ name: 'verdicts-only', filterPolicy: { chain: ['true'] } }],
    visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
    batchSize: BATCH_SIZE,
    functionTimeoutMs: FUNCTION_TIMEOUT_MS,
    handler: handlerFor,
  });
  extraMappings.push(
    startEventSourceMapping({
      sqs: watch.aws.clients().sqs,
      queueUrl: watch.resources.jobQueue.url,
      queueArn: watch.resources.jobQueue.arn,
      handler: handlerFor(watch.functionEnv),
      visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
      batchSize: BATCH_SIZE,
      functionTimeoutMs: FUNCTION_TIMEOUT_MS,
      waitTimeSeconds: 1,
      functionName: 'alation-job-watch-local-2',
    }),
  );

  const { sqs } = watch.aws.clients();
  for (const id of ROOTS) await enqueueJob(sqs, watch.resources.jobQueue.url, { jobId: id, kind: 'custom-field-values', context: { root: id } });
  // Root 9 is delivered twice: two poll chains of the parent.
  await sqs.send(new SendMessageCommand({ QueueUrl: watch.resources.jobQueue.url, MessageBody: serializeJobReference({ job: { id: 9 }, kind: 'custom-field-values', context: { root: 9 }, watch: null }) }));

  const { outcomeQueue, subscribers } = watch.resources;
  const accounted = (received: readonly ReceivedMessage[]) => {
    const keys = new Set(received.map((m) => readOutcomeMessage(m.body)).map((o) => `${o.chain ? 'chain ' : ''}${jobKey(o.job)}`));
    return ALL_JOBS.every((id) => keys.has(`id:${id}`)) && Object.keys(CHAINS).every((id) => keys.has(`chain id:${id}`));
  };
  outcomeMessages = await drainQueue(sqs, outcomeQueue.url, { until: accounted, timeoutMs: 90_000 });
  // Anything still to come would be a duplicate: a redelivery plus a few polls.
  outcomeMessages.push(...(await drainQueue(sqs, outcomeQueue.url, { until: () => false, timeoutMs: 5000 })));
  verdictMessages = await drainQueue(sqs, subscribers['verdicts-only']!.url, { until: () => false, timeoutMs: 2000 });
}, 130_000);

afterAll(async () => {
  await Promise.all(extraMappings.map((m) => m.stop()));
  await watch?.stop();
  await sim?.stop();
  logs?.restore();
});

const outcomes = (): Outcome[] => outcomeMessages.map((m) => readOutcomeMessage(m.body));
const own = (id: number) => outcomes().filter((o) => !o.chain && jobKey(o.job) === `id:${id}`);
const verdicts = (id: number) => outcomes().filter((o) => o.chain && jobKey(o.job) === `id:${id}`);

describe('follow-up jobs, watched end to end', () => {
  it('injected every crash point', () => {
    if (process.env.FU_DEBUG) writeFileSync(process.env.FU_DEBUG, logs.lines.join('\n'));
    if (process.env.FU_DEBUG) logs.print(`${JSON.stringify({ fired: [...fired], stats: { ...stats, sentBodies: stats.sentBodies.length, invocationErrors: stats.invocationErrors.slice(0, 5) }, got: outcomes().map((o) => `${o.chain ? 'chain ' : ''}${jobKey(o.job)} ${o.status}`), lines: logs.lines.filter((l) => /"job":"id:1[23]"|record failed|batch/.test(l)).map((l) => l.slice(0, 400)).slice(-40) }, null, 1)}\n`);
    expect([...fired].sort()).toEqual(Object.keys(CRASH_POINTS).sort());
    expect(stats.crashes).toBe(Object.keys(CRASH_POINTS).length);
  });

  it('publishes exactly one outcome for every job, follow-ups included, however the runtime died', () => {
    const counts = Object.fromEntries(ALL_JOBS.map((id) => [id, REPEATABLE.has(id) ? Math.min(1, own(id).length) : own(id).length]));
    expect(counts).toEqual(Object.fromEntries(ALL_JOBS.map((id) => [id, 1])));
  });

  it('neither loses nor doubles the follow-up of a parent killed right after its publish; a repeat of the parent keeps its notificationId', () => {
    expect(own(130)).toHaveLength(1);
    expect(new Set(own(13).map((o) => o.notificationId)).size).toBe(1);
  });

  it('publishes exactly one verdict per chain, with the worst status of the chain, and none for a job without follow-ups', () => {
    const got = Object.fromEntries(ROOTS.map((id) => [id, verdicts(id).map((v) => v.status)]));
    const want = Object.fromEntries(ROOTS.map((id) => [id, CHAINS[id] ? [CHAINS[id].status] : []]));
    expect(got).toEqual(want);
    for (const [root, chain] of Object.entries(CHAINS)) {
      const [verdict] = verdicts(Number(root));
      expect(verdict!.chain!.jobs.map((j) => jobKey(j.job))).toEqual(chain.jobs.map((id) => `id:${id}`));
      expect(verdict!.chain!.status).toBe(chain.status);
      expect(verdict!.notificationId).not.toBe(own(Number(root))[0]!.notificationId);
    }
  });

  it("marks the parent's outcome followUpsWatched and gives each follow-up the parent, its kind and its context", () => {
    const parent = own(2)[0]!;
    expect(parent).toMatchObject({ followUpJobIds: [20], followUpsWatched: true, parent: null });
    const child = own(20)[0]!;
    expect(child).toMatchObject({
      status: 'failed',
      kind: 'custom-field-values',
      context: { root: 2 },
      parent: { job: { id: 2 }, notificationId: parent.notificationId, root: { id: 2 }, depth: 1 },
    });
    expect(own(3)[0]!.followUpJobIds).toEqual([31, 32]);
  });

  it('ends a chain whose follow-up Alation does not know as not_found, and one whose follow-up never finishes as timed_out', () => {
    expect(own(404_040)[0]).toMatchObject({ status: 'not_found', parent: { job: { id: 4 } } });
    expect(own(50)[0]).toMatchObject({ status: 'timed_out', lastStatus: 'running' });
  });

  it('sets the followUp and chain attributes, so a subscriber can take only the last word', () => {
    const attributes = (id: number, chain: boolean) =>
      outcomeMessages.find((m) => {
        const o = readOutcomeMessage(m.body);
        return jobKey(o.job) === `id:${id}` && Boolean(o.chain) === chain;
      })!.attributes;
    expect(attributes(1, false)).toMatchObject({ followUp: 'false', chain: 'false' });
    expect(attributes(10, false)).toMatchObject({ followUp: 'true', chain: 'false' });
    expect(attributes(1, true)).toMatchObject({ followUp: 'false', chain: 'true', status: 'successful' });
    const filtered = verdictMessages.map((m) => readOutcomeMessage(m.body));
    expect(filtered.every((o) => o.chain !== undefined)).toBe(true);
    expect(filtered.map((o) => jobKey(o.job)).sort()).toEqual(Object.keys(CHAINS).map((id) => `id:${id}`).sort());
  });

  it('drops the second copy of a follow-up sent again after a crash, at its first check', () => {
    expect(logs.lines.filter((l) => l.includes('follow-up already watched by another copy')).length).toBeGreaterThanOrEqual(1);
  });

  it('publishes a status an operator declared final as its mapped outcome, keeping Alation’s word', () => {
    expect(own(11)[0]).toMatchObject({ status: 'successful', lastStatus: 'completed', hasErrors: false, followUpsWatched: false });
  });

  it('watches an unknown status until the deadline, logging it once for the job', () => {
    expect(own(12)[0]).toMatchObject({ status: 'timed_out', lastStatus: 'queued_for_write' });
    const lines = logs.lines.filter((l) => l.includes('status the watcher does not know') && l.includes('"job":"id:12"')).map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ status: 'queued_for_write', level: 'WARN' });
    // Once per job: only the check that first saw the word logs it. A crash elsewhere in its
    // batch can redeliver that same message, which logs again; a later check never does.
    expect(new Set(lines.map((l) => l.messageId)).size).toBe(1);
  });
});
