/**
 * Regression (found by the issue 15 attacker's review, slot takeover): two execution environments record an outcome of the
 * same new kind at once, on a slot a squatter holds. Both first updates fail (the slot is the
 * squatter's); both then try the takeover. The first takeover wins and sets `kind` to the new
 * kind; the second's condition (`kind <> :kind AND …`) then fails because the slot is already its
 * own kind's. It used to give up there (a genuine sample of the slot's new holder lost); it now
 * adds its sample. Real dynalite; the only thing arranged is the order in
 * which the two environments' requests reach it (both takeovers are sent once both first
 * updates have failed, which is what happens whenever the two records overlap).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbKindDurationStore } from '../../shared/aws/kind-duration-store';
import { provisionJobWatch, startLocalAws, type JobWatchResources, type LocalAws } from '../../shared/local/aws';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const HOUR = 3600_000;
const HALF_LIFE_SECONDS = 777 * 3600; // an era of its own on the table, and slow decay

let aws: LocalAws;
let resources: JobWatchResources;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  aws = await startLocalAws();
  resources = await provisionJobWatch(aws, { tokenSecretValue: 'unused', prefix: 'attack-takeover' });
  dynamodb = aws.clients().dynamodb;
});
afterAll(() => aws.stop());

/** Holds every takeover (the UpdateItem conditioned on idleness) until `count` of them have arrived. */
function takeoversTogether(count: number): Pick<DynamoDBClient, 'send'> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return {
    send: (async (command: { input: { ConditionExpression?: string } }) => {
      if (command.input.ConditionExpression?.includes(':idleSince')) {
        if (++arrived === count) release();
        await all;
      }
      return dynamodb.send(command as never);
    }) as DynamoDBClient['send'],
  };
}

describe('a slot taken over while two environments record the same new kind', () => {
  it('keeps both samples of the new holder', async () => {
    let now = NOW;
    const store = (client: Pick<DynamoDBClient, 'send'>) =>
      createDynamoDbKindDurationStore({ dynamodb: client, tableName: resources.durationTable.name, slots: 1, halfLifeSeconds: HALF_LIFE_SECONDS, now: () => now });
    expect(await store(dynamodb).record('squatter', 5)).toBe(true);

    now = NOW + 2 * HOUR; // the squatter has one sample and has been idle two hours
    const gate = takeoversTogether(2);
    const results = await Promise.all([store(gate).record('genuine', 30), store(gate).record('genuine', 30)]);

    // Before the fix: [true, false] and 1 sample (the second environment's outcome not learned).
    expect(results).toEqual([true, true]);
    expect((await store(dynamodb).read('genuine'))?.samples).toBeCloseTo(2, 6);
  });
});
