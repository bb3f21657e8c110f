/**
 * processRecord with follow-ups, over the record harness and an in-memory chain store that
 * keeps the store's rules (first end wins, members registered once, claims by message id).
 * The DynamoDB store itself is tested in test/aws/chain-store.test.ts, the whole on the local
 * stack in test/integration/follow-ups.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ChainJob } from '../../shared/contracts/follow-up';
import { memberKey, type ChainEnd, type ChainStore } from '../../shared/watch/chain';
import { processRecord } from '../../shared/watch/process-record';
import { statusResponse } from '../support/alation-responses';
import { TimeBudgetError } from '../../shared/errors';
import type { RecordTime } from '../../shared/watch/time-budget';
import { createHarness, sealedBody, sqsRecord, type Harness } from '../support/record-harness';

function memoryChainStore() {
  const chains = new Map<string, { members: Map<string, { job: ChainJob; depth: number; parent: ChainJob | null }>; ends: Map<string, ChainEnd>; published: Set<string>; sent: Set<string>; claims: Map<string, string> }>();
  const chain = (root: ChainJob) => {
    const key = memberKey(root);
    if (!chains.has(key)) chains.set(key, { members: new Map(), ends: new Map(), published: new Set(), sent: new Set(), claims: new Map() });
    return chains.get(key)!;
  };
  const calls: string[] = [];
  const view = (c: ReturnType<typeof chain>) => ({
    members: [...c.members.entries()].map(([k, m]) => ({ ...m, enqueued: c.sent.has(k), end: c.ends.get(k) ?? null, published: c.published.has(k) })),
  });
  const store: ChainStore = {
    async recordEnd(root, end, children) {
      calls.push(`recordEnd ${memberKey(end.job)}`);
      const c = chain(root);
      const self = memberKey(end.job);
      if (!c.members.has(self)) c.members.set(self, { job: end.job, depth: end.depth, parent: end.parent });
      if (!c.ends.has(self)) c.ends.set(self, end);
      for (const child of children) if (!c.members.has(memberKey(child))) c.members.set(memberKey(child), { job: child, depth: end.depth + 1, parent: end.job });
      return view(c);
    },
    async markPublished(root, end) {
      calls.push(`markPublished ${memberKey(end.job)}`);
      const c = chain(root);
      c.ends.set(memberKey(end.job), end);
      c.published.add(memberKey(end.job));
      return view(c);
    },
    async markEnqueued(root, child) {
      calls.push(`markEnqueued ${memberKey(child)}`);
      chain(root).sent.add(memberKey(child));
    },
    async claimFirstCheck(root, job, messageId) {
      calls.push(`claim ${memberKey(job)}`);
      const claims = chain(root).claims;
      const holder = claims.get(memberKey(job)) ?? messageId;
      claims.set(memberKey(job), holder);
      return holder === messageId;
    },
  };
  return { store, calls };
}

const followUpResult = (id: number) => statusResponse('successful', { result: `Legacy(Rosemeta) write job_id (can be tracked using jobs API): ${id}` });

function harnessWithChains(reply = () => followUpResult(70)): Harness & { calls: string[] } {
  const h = createHarness(reply);
  const { store, calls } = memoryChainStore();
  Object.assign(h.deps, { followUps: { options: { enabled: true, maxDepth: 3 }, chains: store } });
  return Object.assign(h, { calls });
}

const sentBodies = (h: Harness) => h.sent.map((s) => JSON.parse(s.MessageBody!) as Record<string, unknown>);

describe('processRecord with follow-up jobs', () => {
  it('enqueues the follow-up with its parent before publishing the parent, which says it is watched', async () => {
    const h = harnessWithChains();
    await processRecord(sqsRecord({ jobId: 7, kind: 'custom-field-values', context: { u: 1 } }), h.deps);

    expect(h.calls).toEqual(['recordEnd id:7', 'markEnqueued id:70', 'markPublished id:7']);
    expect(sentBodies(h)).toEqual([
      {
        version: 1,
        jobId: 70,
        kind: 'custom-field-values',
        context: { u: 1 },
        parent: { job: { id: 7 }, notificationId: h.published[0]!.notificationId, root: { id: 7 }, depth: 1, claim: expect.stringMatching(/^[0-9a-f-]{36}$/) },
        seal: expect.stringMatching(/^v1\./),
      },
    ]);
    // `parent` is the watcher's own state: the follow-up goes out sealed, exactly as re-sends do.
    expect(h.sent[0]!.MessageBody).toBe(sealedBody(sentBodies(h)[0]!));
    expect(h.sent[0]!.DelaySeconds).toBe(0);
    expect(h.published).toHaveLength(1);
    expect(h.published[0]).toMatchObject({ job: { id: 7 }, followUpJobIds: [70], followUpsWatched: true, parent: null });
  });

  it('still sends an unsent follow-up when the redelivered parent finds its outcome already published', async () => {
    const h = harnessWithChains();
    h.publishResult = { published: false, messageId: 'sns-0' };
    await processRecord(sqsRecord({ jobId: 7 }), h.deps);
    expect(sentBodies(h).map((b) => b.jobId)).toEqual([70]);
  });

  it('does not send a follow-up twice when the parent is delivered twice', async () => {
    const h = harnessWithChains();
    await processRecord(sqsRecord({ jobId: 7 }, 'a'), h.deps);
    await processRecord(sqsRecord({ jobId: 7 }, 'b'), h.deps);
    expect(sentBodies(h).map((b) => b.jobId)).toEqual([70]);
  });

  it('ends a second copy of a follow-up at its first check, without asking Alation', async () => {
    const h = harnessWithChains(() => statusResponse('running'));
    const body = sealedBody({ jobId: 70, parent: { job: { id: 7 }, notificationId: 'n', root: { id: 7 }, depth: 1 } });
    await processRecord(sqsRecord(body, 'first'), h.deps);
    await processRecord(sqsRecord(body, 'first'), h.deps); // a redelivery of the same message keeps its claim
    await processRecord(sqsRecord(body, 'second'), h.deps);

    expect(h.alationRequests).toHaveLength(2);
    expect(h.counters.duplicateSuppressed).toEqual([1]);
    expect(h.logs.map((l) => l.message)).toContain('follow-up already watched by another copy of its message: ending this one quietly');
  });

  it('keeps the claim of a follow-up redriven under a new message id, and ends a copy sent with another claim token', async () => {
    const h = harnessWithChains(() => statusResponse('running'));
    const parent = { job: { id: 7 }, notificationId: 'n', root: { id: 7 }, depth: 1 };
    const body = sealedBody({ jobId: 70, parent: { ...parent, claim: 'token-a' } });
    await processRecord(sqsRecord(body, 'first'), h.deps);
    await processRecord(sqsRecord(body, 'redriven'), h.deps); // the same body under a new message id
    await processRecord(sqsRecord(sealedBody({ jobId: 70, parent: { ...parent, claim: 'token-b' } }), 'sent-again'), h.deps);

    expect(h.alationRequests).toHaveLength(2);
    expect(h.counters.duplicateSuppressed).toEqual([1]);
  });

  it('leaves the claim token out of the follow-up’s own outcome', async () => {
    const h = harnessWithChains(() => statusResponse('successful', { result: '{"updated_objects": 1}' }));
    const parent = { job: { id: 7 }, notificationId: 'n', root: { id: 7 }, depth: 1 };
    await processRecord(sqsRecord(sealedBody({ jobId: 70, parent: { ...parent, claim: 'token-a' } })), h.deps);
    expect(h.published[0]!.parent).toEqual(parent);
  });

  it("ignores a producer's unsealed parent: the job is watched as its own, and touches no one's chain", async () => {
    const h = harnessWithChains(() => statusResponse('running'));
    await processRecord(sqsRecord({ jobId: 70, parent: { job: { id: 7 }, notificationId: 'n', root: { id: 7 }, depth: 1 } }), h.deps);

    expect(h.calls).toEqual([]);
    expect(h.counters.forgedWatchState).toEqual([1]);
    expect(sentBodies(h)[0]).not.toHaveProperty('parent');
  });

  it('touches no chain for a job that names no follow-up', async () => {
    const h = harnessWithChains(() => statusResponse('successful', { result: '{"updated_objects": 1}' }));
    await processRecord(sqsRecord({ jobId: 1 }), h.deps);
    expect(h.calls).toEqual([]);
    expect(h.published[0]).toMatchObject({ followUpsWatched: false, parent: null });
  });

  it('lists follow-ups but watches none when switched off', async () => {
    const h = harnessWithChains();
    Object.assign(h.deps, { followUps: { options: { enabled: false, maxDepth: 3 }, chains: h.deps.followUps!.chains } });
    await processRecord(sqsRecord({ jobId: 7 }), h.deps);
    expect(h.sent).toEqual([]);
    expect(h.calls).toEqual([]);
    expect(h.published[0]).toMatchObject({ followUpJobIds: [70], followUpsWatched: false });
  });

  it('publishes the verdict after the last follow-up’s own outcome', async () => {
    const h = harnessWithChains();
    await processRecord(sqsRecord({ jobId: 7 }), h.deps);
    const child = sentBodies(h)[0]!;
    const childHarnessReply = statusResponse('failed', { result: '{"updated_objects": 0}' });
    Object.assign(h.deps, { alation: createHarness(() => childHarnessReply).deps.alation });
    await processRecord(sqsRecord(child, 'child'), h.deps);

    expect(h.published.map((o) => [o.job, o.status, o.chain?.status ?? null])).toEqual([
      [{ id: 7 }, 'successful', null],
      [{ id: 70 }, 'failed', null],
      [{ id: 7 }, 'failed', 'failed'],
    ]);
  });
});

describe('processRecord with statuses Alation does not document', () => {
  it('keeps watching an unknown status, and logs and counts it once per job', async () => {
    const h = createHarness(() => statusResponse('queued_for_write'));
    Object.assign(h.deps, { metrics: { ...h.deps.metrics, unknownStatus: () => (h.counters.unknownStatus ??= []).push(1) } });
    await processRecord(sqsRecord({ jobId: 5 }), h.deps);
    await processRecord(sqsRecord(h.sent[0]!.MessageBody!), h.deps);

    expect(h.published).toEqual([]);
    expect(h.sent).toHaveLength(2);
    expect(h.counters.unknownStatus).toEqual([1]);
    expect(h.logs.filter((l) => l.message.startsWith('Alation reported a status the watcher does not know')).map((l) => l.extra)).toEqual([{ status: 'queued_for_write' }]);
  });

  it('publishes a status an operator declared final as its mapped outcome', async () => {
    const h = createHarness(() => statusResponse('completed', { result: '{"updated_objects": 1}' }));
    Object.assign(h.deps, { extraFinalStatuses: new Map([['completed', 'successful']]) });
    await processRecord(sqsRecord({ jobId: 5 }), h.deps);
    expect(h.published[0]).toMatchObject({ status: 'successful', lastStatus: 'completed' });
  });

  it('publishes no chain verdict without the time to finish it: the record is retried, and the retry publishes it', async () => {
    const h = harnessWithChains();
    await processRecord(sqsRecord({ jobId: 7 }), h.deps);
    const child = sentBodies(h)[0]!;
    Object.assign(h.deps, { alation: createHarness(() => statusResponse('failed', { result: '{"updated_objects": 0}' })).deps.alation });
    const asked: string[] = [];
    const short: RecordTime = {
      signal: new AbortController().signal,
      assertTimeForEffect(effect) {
        asked.push(effect);
        if (effect === 'publish the chain verdict') throw new TimeBudgetError('too little time to publish the chain verdict');
      },
    };
    await expect(processRecord(sqsRecord(child, 'child'), h.deps, short)).rejects.toThrow(TimeBudgetError);
    expect(asked).toEqual(['end the job', 'publish', 'record the published end in the chain', 'publish the chain verdict']);
    expect(h.published.filter((o) => o.chain)).toEqual([]);

    await processRecord(sqsRecord(child, 'child'), h.deps); // the redelivery, with time
    expect(h.published.filter((o) => o.chain).map((o) => o.chain!.status)).toEqual(['failed']);
  });
});
