import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbKindDurationStore } from '../../shared/aws/kind-duration-store';
import { provisionJobWatch, startLocalAws, type JobWatchResources, type LocalAws } from '../../shared/local/aws';
import { durationQuantile } from '../../shared/watch/duration-histogram';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const HOUR = 3600_000;

let aws: LocalAws;
let resources: JobWatchResources;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  aws = await startLocalAws();
  resources = await provisionJobWatch(aws, { tokenSecretValue: 'unused', prefix: 'durations' });
  dynamodb = aws.clients().dynamodb;
});
afterAll(() => aws.stop());

const store = (options: { now?: () => number; slots?: number; cacheTtlMs?: number; halfLifeSeconds?: number } = {}) =>
  createDynamoDbKindDurationStore({ dynamodb, tableName: resources.durationTable.name, now: () => NOW, ...options });

describe('learned durations in DynamoDB (dynalite)', () => {
  it('loses no count when environments record the same kind at once', async () => {
    const environments = Array.from({ length: 5 }, () => store());
    await Promise.all(Array.from({ length: 200 }, (_, i) => (environments[i % 5] as ReturnType<typeof store>).record('concurrent', i % 2 ? 30 : 60)));

    const known = await store().read('concurrent');
    expect(known?.samples).toBeCloseTo(200, 9);
    expect(durationQuantile(known!, 0.25)).toBeLessThan(36);
    expect(durationQuantile(known!, 0.75)).toBeGreaterThan(50);
  });

  it('knows nothing about a kind it never saw', async () => {
    expect(await store().read('never-seen')).toBeNull();
  });

  it('reports a kind with few samples as few, for the schedule to ignore', async () => {
    const s = store();
    for (let i = 0; i < 3; i++) await s.record('rare', 10);
    expect((await store().read('rare'))?.samples).toBeCloseTo(3, 9);
  });

  it('lets old durations fade so a kind that changes is followed', async () => {
    let now = NOW;
    const s = store({ now: () => now, halfLifeSeconds: 3600 });
    for (let i = 0; i < 40; i++) await s.record('shifting', 20);
    now = NOW + 5 * HOUR;
    for (let i = 0; i < 20; i++) await s.record('shifting', 600);

    const known = await store({ now: () => now, halfLifeSeconds: 3600 }).read('shifting');
    // 40 samples five half-lives old weigh 40/32 = 1.25 beside 20 fresh ones.
    expect(known?.samples).toBeCloseTo(21.25, 6);
    expect(durationQuantile(known!, 0.5)).toBeGreaterThan(500);
  });

  it('holds at most one item per slot however many distinct kinds arrive, and keeps the first kind of each', async () => {
    const prefix = 'flood';
    const s = store({ slots: 8, halfLifeSeconds: 7200 });
    const kept = await Promise.all(Array.from({ length: 300 }, (_, i) => s.record(`${prefix}-${i}`, 5)));

    const { Items } = await dynamodb.send(new ScanCommand({ TableName: resources.durationTable.name }));
    const floodItems = (Items ?? []).filter((item) => item.kind?.S?.startsWith(prefix));
    expect(floodItems.length).toBeLessThanOrEqual(8);
    expect(kept.filter(Boolean).length).toBeLessThan(300);
    // A kind that was refused a slot is not confused with the slot's owner.
    const refused = kept.findIndex((k) => !k);
    expect(await store({ slots: 8, halfLifeSeconds: 7200 }).read(`${prefix}-${refused}`)).toBeNull();
    const owner = floodItems[0]?.kind?.S as string;
    expect((await store({ slots: 8, halfLifeSeconds: 7200 }).read(owner))?.samples).toBeGreaterThan(0);
  });

  it('reuses a read for the cache TTL, then reads again', async () => {
    let now = NOW;
    const reader = store({ now: () => now, cacheTtlMs: 60_000 });
    const writer = store();
    await writer.record('cached', 10);
    expect((await reader.read('cached'))?.samples).toBeCloseTo(1, 9);
    await writer.record('cached', 10);
    expect((await reader.read('cached'))?.samples).toBeCloseTo(1, 9);
    now += 60_001;
    expect((await reader.read('cached'))?.samples).toBeGreaterThan(1.99);
  });

  it('fails a read once when the table is unreachable, then answers "nothing known" until the TTL ends', async () => {
    let calls = 0;
    const broken = createDynamoDbKindDurationStore({
      dynamodb: { send: async () => { calls++; throw new Error('DynamoDB unavailable'); } },
      tableName: 'missing',
      now: () => NOW,
    });
    await expect(broken.read('any')).rejects.toThrow('DynamoDB unavailable');
    expect(await broken.read('any')).toBeNull();
    expect(calls).toBe(1);
  });
});

describe('several samples of one kind in one write (one invocation’s samples)', () => {
  it('learns the same as recording each sample alone, with one UpdateItem', async () => {
    const updates: string[] = [];
    const counting = {
      send: (command: Parameters<DynamoDBClient['send']>[0]) => {
        updates.push(command.constructor.name);
        return dynamodb.send(command as never);
      },
    } as Pick<DynamoDBClient, 'send'>;
    const batched = createDynamoDbKindDurationStore({ dynamodb: counting, tableName: resources.durationTable.name, now: () => NOW });
    const single = store();

    expect(await batched.recordAll!('batched-kind', [30, 30, 60, 600])).toBe(true);
    for (const s of [30, 30, 60, 600]) await single.record('single-kind', s);

    expect(updates).toEqual(['UpdateItemCommand']);
    const [a, b] = [await store().read('batched-kind'), await store().read('single-kind')];
    expect(a?.samples).toBeCloseTo(4, 9);
    expect(a).toEqual(b);
  });

  it('keeps none of the samples of a kind whose slot another kind holds', async () => {
    const s = store({ slots: 1, halfLifeSeconds: 5400 });
    expect(await s.recordAll!('slot-holder', [5])).toBe(true);
    expect(await s.recordAll!('slot-latecomer', [5, 6])).toBe(false);
    expect(await store({ slots: 1, halfLifeSeconds: 5400 }).read('slot-latecomer')).toBeNull();
  });
});
