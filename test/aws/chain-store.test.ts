/** The chain store against dynalite (local DynamoDB), with the real SDK client. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbChainStore, readChain } from '../../shared/aws/chain-store';
import { provisionJobWatch, startLocalAws, type LocalAws } from '../../shared/local/aws';
import { chainVerdict, type ChainEnd } from '../../shared/watch/chain';

let aws: LocalAws;
let tableName: string;

beforeAll(async () => {
  aws = await startLocalAws();
  tableName = (await provisionJobWatch(aws, { tokenSecretValue: 't' })).idempotencyTable.name;
}, 30_000);
afterAll(async () => aws?.stop());

const end = (id: number, status: ChainEnd['status'], depth: number, parent: number | null): ChainEnd => ({
  job: { id },
  status,
  hasErrors: status !== 'successful',
  notificationId: `n-${id}`,
  depth,
  parent: parent === null ? null : { id: parent },
  polls: 1,
  firstSeenAt: '2026-01-01T00:00:00.000Z',
});

describe('the DynamoDB chain store', () => {
  const store = () => createDynamoDbChainStore({ dynamodb: aws.clients().dynamodb, tableName, ttlSeconds: 3600 });

  it("records a root's end and its follow-ups as members in one write, and keeps the first end recorded", async () => {
    const chains = store();
    const state = await chains.recordEnd({ id: 1 }, end(1, 'successful', 0, null), [{ id: 10 }]);
    expect(state.members.map((m) => [m.job, m.end?.status ?? null, m.parent, m.enqueued])).toEqual(
      expect.arrayContaining([
        [{ id: 1 }, 'successful', null, false],
        [{ id: 10 }, null, { id: 1 }, false],
      ]),
    );
    await chains.markEnqueued({ id: 1 }, { id: 10 });
    const again = await chains.recordEnd({ id: 1 }, end(1, 'failed', 0, null), [{ id: 10 }]);
    expect(again.members.find((m) => JSON.stringify(m.job) === '{"id":1}')?.end?.status).toBe('successful');
    expect(again.members.find((m) => JSON.stringify(m.job) === '{"id":10}')?.enqueued).toBe(true);
  });

  it('lets exactly one of many follow-ups published at once see the chain complete', async () => {
    const chains = store();
    const children = Array.from({ length: 12 }, (_, i) => ({ id: 200 + i }));
    await chains.recordEnd({ id: 2 }, end(2, 'successful', 0, null), children);
    await chains.markPublished({ id: 2 }, end(2, 'successful', 0, null));
    const ended = await Promise.all(children.map((c) => chains.recordEnd({ id: 2 }, end(c.id, 'successful', 1, 2), [])));
    expect(ended.filter((s) => chainVerdict(s) !== undefined)).toHaveLength(0); // ended, not yet published
    const states = await Promise.all(children.map((c) => chains.markPublished({ id: 2 }, end(c.id, 'successful', 1, 2))));
    expect(states.filter((s) => chainVerdict(s) !== undefined)).toHaveLength(1);
  });

  it('replaces the end recorded before the publish with the published one, and keeps that', async () => {
    const chains = store();
    await chains.recordEnd({ id: 4 }, end(4, 'successful', 0, null), [{ id: 40 }]);
    await chains.markPublished({ id: 4 }, end(4, 'successful', 0, null));
    await chains.recordEnd({ id: 4 }, end(40, 'timed_out', 1, 4), []);
    const state = await chains.markPublished({ id: 4 }, end(40, 'successful', 1, 4));
    expect(chainVerdict(state)?.jobs.map((j) => j.status)).toEqual(['successful', 'successful']);
    const redelivered = await chains.recordEnd({ id: 4 }, end(40, 'failed', 1, 4), []);
    expect(chainVerdict(redelivered)?.status).toBe('successful');
  });

  it('counts members of chains recorded before the published mark as published', () => {
    const item = { 'm:id:5': { job: { id: 5 }, depth: 0, parent: null }, 'e:id:5': end(5, 'successful', 0, null) };
    expect(readChain(item).members[0]!.published).toBe(true);
  });

  it('lets one SQS message claim the first check of a follow-up, again on its redelivery, and no other', async () => {
    const chains = store();
    expect(await chains.claimFirstCheck({ id: 3 }, { id: 30 }, 'message-a')).toBe(true);
    expect(await chains.claimFirstCheck({ id: 3 }, { id: 30 }, 'message-a')).toBe(true);
    expect(await chains.claimFirstCheck({ id: 3 }, { id: 30 }, 'message-b')).toBe(false);
  });
});

describe('the chain store as the function builds it (its own client, from the environment)', () => {
  it('works with the client awsClientConfig makes, which lib-dynamodb would refuse if it cached its middleware', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, aws.env());
    try {
      const chains = createDynamoDbChainStore({ tableName, ttlSeconds: 3600 });
      const state = await chains.recordEnd({ id: 901 }, end(901, 'successful', 0, null), []);
      expect(state.members.map((m) => m.job)).toEqual([{ id: 901 }]);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
