/** The chain store against dynalite (local DynamoDB), with the real SDK client. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbChainStore } from '../../shared/aws/chain-store';
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

  it('lets exactly one of many follow-ups ending at once see the chain complete', async () => {
    const chains = store();
    const children = Array.from({ length: 12 }, (_, i) => ({ id: 200 + i }));
    await chains.recordEnd({ id: 2 }, end(2, 'successful', 0, null), children);
    const states = await Promise.all(children.map((c) => chains.recordEnd({ id: 2 }, end(c.id, 'successful', 1, 2), [])));
    expect(states.filter((s) => chainVerdict(s) !== undefined)).toHaveLength(1);
  });

  it('lets one SQS message claim the first check of a follow-up, again on its redelivery, and no other', async () => {
    const chains = store();
    expect(await chains.claimFirstCheck({ id: 3 }, { id: 30 }, 'message-a')).toBe(true);
    expect(await chains.claimFirstCheck({ id: 3 }, { id: 30 }, 'message-a')).toBe(true);
    expect(await chains.claimFirstCheck({ id: 3 }, { id: 30 }, 'message-b')).toBe(false);
  });
});
