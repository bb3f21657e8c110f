import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbKindDurationStore } from '../../shared/aws/kind-duration-store';
import { provisionJobWatch, startLocalAws, type JobWatchResources, type LocalAws } from '../../shared/local/aws';
import { durationQuantile, ERA_HALF_LIVES, eraOf } from '../../shared/watch/duration-histogram';

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

const store = (options: { now?: () => number; slots?: number; cacheTtlMs?: number; halfLifeSeconds?: number; takeoverAfterIdleMs?: number } = {}) =>
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

/**
 * Items of one era, read back with a scan. Each test below uses its own half-life, so its era
 * numbers (and slot keys) are its own on the shared table: 1000 h → era 30, 500 h → 61,
 * 250 h → 123, 3 h → 10256 at NOW; the tests above use 7 days (183), 7200 s (15385) and 3600 s (30770).
 */
async function itemsOfEra(halfLifeSeconds: number, atMs: number) {
  const era = eraOf(atMs, { halfLifeSeconds });
  const { Items } = await dynamodb.send(new ScanCommand({ TableName: resources.durationTable.name }));
  return (Items ?? []).filter((item) => item.pk?.S?.startsWith(`${era}#`));
}
const bucketSum = (item: Record<string, { N?: string }>) =>
  Object.entries(item).reduce((sum, [name, value]) => (/^b\d+$/.test(name) ? sum + Number(value.N) : sum), 0);

describe('slots held by squatters (issue 15, attacker review)', () => {
  it('gives a squatter\'s slot to the next kind once the squatter has few samples and has been idle an hour, with fresh counts', async () => {
    const halfLifeSeconds = 1000 * 3600; // slow decay: only idleness matters here
    let now = NOW;
    const s = store({ slots: 1, halfLifeSeconds, now: () => now });
    expect(await s.record('junk-kind', 5)).toBe(true);

    now = NOW + 30 * 60_000;
    expect(await s.record('real-kind', 2)).toBe(false);
    now = NOW + 61 * 60_000;
    expect(await s.record('real-kind', 2)).toBe(true);
    expect(await s.record('real-kind', 3)).toBe(true);

    const reader = store({ slots: 1, halfLifeSeconds, now: () => now });
    expect((await reader.read('real-kind'))?.samples).toBeCloseTo(2, 3);
    expect(await reader.read('junk-kind')).toBeNull();
    const [item, ...others] = await itemsOfEra(halfLifeSeconds, now);
    expect(others).toHaveLength(0);
    expect(item?.kind?.S).toBe('real-kind');
    // The junk kind's 5 s bucket is gone: the total and the buckets agree.
    expect(bucketSum(item!)).toBeCloseTo(Number(item?.total?.N), 9);
    expect(durationQuantile((await reader.read('real-kind'))!, 1)).toBeLessThan(4);
  });

  it('keeps the slot of a kind with enough samples however long it is idle, until decay leaves it too few', async () => {
    const halfLifeSeconds = 3 * 3600;
    let now = NOW;
    const s = store({ slots: 1, halfLifeSeconds, now: () => now });
    for (let i = 0; i < 40; i++) expect(await s.record('established', 30)).toBe(true);

    now = NOW + HOUR + 60_000; // idle an hour, but 40 samples a third of a half-life old: ~32
    expect(await s.record('newcomer', 5)).toBe(false);
    now = NOW + 4 * HOUR; // 4/3 half-lives: ~15.9 left, fewer than 20
    expect((await store({ slots: 1, halfLifeSeconds, now: () => now }).read('established'))?.samples).toBeCloseTo(40 / 2 ** (4 / 3), 6);
    expect(await s.record('newcomer', 5)).toBe(true);

    now = NOW + 4 * HOUR + 1000;
    for (let i = 0; i < 29; i++) expect(await s.record('newcomer', 5)).toBe(true);
    now = NOW + 4 * HOUR + 1000 + HOUR + 60_000; // idle an hour, but 30 samples weigh ~24 still
    expect(await s.record('squatter', 5)).toBe(false);
    expect((await itemsOfEra(halfLifeSeconds, now)).map((item) => item.kind?.S)).toEqual(['newcomer']);
  });

  it('gives a squatted slot to exactly one of many kinds claiming it at once, with consistent counts', async () => {
    const halfLifeSeconds = 500 * 3600;
    let now = NOW;
    const setup = store({ slots: 1, halfLifeSeconds, now: () => now });
    expect(await setup.record('old-holder', 60)).toBe(true);

    now = NOW + 2 * HOUR;
    const kinds = ['old-holder', ...Array.from({ length: 12 }, (_, i) => `claimant-${i}`)];
    // One store per kind: as many execution environments recording at once.
    const results = await Promise.all(kinds.map((kind, i) => store({ slots: 1, halfLifeSeconds, now: () => now }).record(kind, 1 + i)));

    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = kinds[results.indexOf(true)];
    const items = await itemsOfEra(halfLifeSeconds, now);
    expect(items).toHaveLength(1);
    expect(items[0]?.kind?.S).toBe(winner);
    expect(bucketSum(items[0]!)).toBeCloseTo(Number(items[0]?.total?.N), 9);
    const expected = winner === 'old-holder' ? 2 : 1;
    expect((await store({ slots: 1, halfLifeSeconds, now: () => now }).read(winner as string))?.samples).toBeCloseTo(expected, 2);
  });

  it('learns real kinds again an hour after a flood of junk kinds took every slot, within the same number of items', async () => {
    const halfLifeSeconds = 250 * 3600;
    const slots = 8;
    let now = NOW;
    const s = store({ slots, halfLifeSeconds, now: () => now });
    await Promise.all(Array.from({ length: 200 }, (_, i) => s.record(`junk-${i}`, 5)));
    expect(await itemsOfEra(halfLifeSeconds, now)).toHaveLength(slots);
    expect(await s.record('lineage', 2)).toBe(false);

    now = NOW + HOUR + 60_000;
    for (let i = 0; i < 25; i++) expect(await s.record('lineage', 2)).toBe(true);
    // The flood comes back: lineage, now with 25 samples, keeps its slot.
    now += 2 * HOUR;
    const again = await Promise.all(Array.from({ length: 200 }, (_, i) => s.record(`junk-again-${i}`, 5)));
    expect(again.filter(Boolean).length).toBeLessThanOrEqual(slots - 1);
    const known = await store({ slots, halfLifeSeconds, now: () => now }).read('lineage');
    expect(known?.samples).toBeGreaterThan(24);
    expect(await itemsOfEra(halfLifeSeconds, now)).toHaveLength(slots);
  });
});
