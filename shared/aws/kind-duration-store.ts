import { createHash } from 'node:crypto';
import { BatchGetItemCommand, ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  bucketOf,
  combineEras,
  DEFAULT_HALF_LIFE_SECONDS,
  ERA_HALF_LIVES,
  eraOf,
  HISTOGRAM_BUCKETS,
  sampleWeight,
  type EraCounts,
} from '../watch/duration-histogram';
import type { KindDurationStore } from '../watch/kind-duration-store';
import { DEFAULT_LEARNED_SCHEDULE } from '../watch/learned-schedule';
import { awsClientConfig } from './client-timeouts';

export interface DynamoDbKindDurationStoreOptions {
  /** @default a client built from the environment (honours `AWS_ENDPOINT_URL_DYNAMODB`) */
  readonly dynamodb?: Pick<DynamoDBClient, 'send'> | undefined;
  readonly tableName: string;
  /**
   * Places for kinds. A kind hashes to one slot; the first kind to record in a slot holds it, and
   * a kind whose slot is held is not learned, unless the holder is a squatter (see
   * {@link protectedSamples}). So the table never holds more than `slots` items per era, however
   * many distinct kinds producers send.
   * @default 1024
   */
  readonly slots?: number;
  /**
   * A slot's holder keeps it against other kinds while it has at least this many decayed samples
   * in the era (a kind the schedule relies on: `LearnedSchedulePolicy.minSamples`) or has recorded
   * within {@link takeoverAfterIdleMs}. Otherwise the next kind to record there takes the slot
   * over, and the holder's counts are dropped. Without this, ~1,024 outcomes of distinct junk
   * kinds would hold every slot for the rest of the era (16 half-lives, ~112 days) and nothing
   * real would be learned (issue 15, attacker review).
   * @default DEFAULT_LEARNED_SCHEDULE.minSamples (20)
   */
  readonly protectedSamples?: number;
  /**
   * How long a holder with fewer than {@link protectedSamples} samples keeps its slot after its
   * last sample. One hour: a flood of junk kinds stops real kinds from being learned for about an
   * hour, and holding the slots longer costs the producer ~1,024 real finished jobs an hour; a
   * kind that has a slot and records at least hourly keeps it while it gathers its samples.
   * @default 3_600_000
   */
  readonly takeoverAfterIdleMs?: number;
  /** @default DEFAULT_HALF_LIFE_SECONDS (7 days) */
  readonly halfLifeSeconds?: number;
  /** How long a read is reused by this execution environment. @default 60_000 */
  readonly cacheTtlMs?: number;
  /** Kinds kept in the in-memory cache; the oldest entry goes first. @default 256 */
  readonly maxCachedKinds?: number;
  readonly now?: () => number;
}

/** Partition key `pk` = `<era>#<slot>`; the table needs nothing else (TTL on `expiresAt`). */
export const DURATION_TABLE_KEY = 'pk';
export const DURATION_TABLE_TTL_ATTRIBUTE = 'expiresAt';
/** The sum of an item's bucket weights (era units): how much its holder has learned. */
const TOTAL_ATTRIBUTE = 'total';
/** When the holder last recorded (ms since the epoch). */
const LAST_WRITE_ATTRIBUTE = 'lastAt';

const bucketAttribute = (i: number) => `b${i}`;
/** Every bucket attribute but one, for the takeover that clears the previous holder's counts. */
const otherBuckets = (keep: number) =>
  Array.from({ length: HISTOGRAM_BUCKETS }, (_, i) => i)
    .filter((i) => i !== keep)
    .map(bucketAttribute)
    .join(', ');

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as Error | undefined)?.name === 'ConditionalCheckFailedException';

/**
 * The learned durations per kind, in DynamoDB (see `duration-histogram.ts` for the arithmetic).
 *
 * - **Atomic:** a sample is one `UpdateItem` that `ADD`s its weight to its bucket, so
 *   concurrent execution environments never lose each other's counts, and nothing is read first.
 * - **Bounded:** kinds live in a fixed number of hashed slots per era, claimed with a condition
 *   (`attribute_not_exists(kind) OR kind = :kind`); items expire (TTL) two eras after theirs.
 * - **Not squattable:** a holder with few samples and no recent write loses its slot to the next
 *   kind that records there, by a second conditional update (`kind <> :kind AND lastAt < :idle
 *   AND total < :protected`) that resets the counts. Each item carries `total` (its weights'
 *   sum, `ADD`ed with each sample) and `lastAt` for that condition. Concurrent claimants are
 *   safe: DynamoDB applies conditional updates to an item one at a time, so the first takeover
 *   sets `lastAt` to now and every other claimant's condition then fails. Items written before
 *   these attributes existed are never taken over.
 * - **Cached:** a kind's eras are read with one `BatchGetItem` and reused for `cacheTtlMs`; a
 *   failed read is remembered as "no knowledge" for as long, so a broken table costs one
 *   request per kind per minute, not one per record.
 */
export function createDynamoDbKindDurationStore(options: DynamoDbKindDurationStoreOptions): KindDurationStore {
  const slots = options.slots ?? 1024;
  const protectedSamples = options.protectedSamples ?? DEFAULT_LEARNED_SCHEDULE.minSamples;
  const takeoverAfterIdleMs = options.takeoverAfterIdleMs ?? 3_600_000;
  const clock = { halfLifeSeconds: options.halfLifeSeconds ?? DEFAULT_HALF_LIFE_SECONDS };
  const cacheTtlMs = options.cacheTtlMs ?? 60_000;
  const maxCachedKinds = options.maxCachedKinds ?? 256;
  const now = options.now ?? Date.now;
  const dynamodb = options.dynamodb ?? new DynamoDBClient(awsClientConfig());
  const eraMs = clock.halfLifeSeconds * ERA_HALF_LIVES * 1000;
  const cache = new Map<string, { readonly until: number; readonly eras: Promise<EraCounts[] | null> }>();

  const slotOf = (kind: string) => createHash('sha256').update(kind).digest().readUInt32BE(0) % slots;
  const key = (era: number, kind: string) => ({ [DURATION_TABLE_KEY]: { S: `${era}#${slotOf(kind)}` } });

  const fetchEras = async (kind: string, atMs: number): Promise<EraCounts[] | null> => {
    const era = eraOf(atMs, clock);
    const answer = await dynamodb.send(
      new BatchGetItemCommand({ RequestItems: { [options.tableName]: { Keys: [key(era, kind), key(era - 1, kind)] } } }),
    );
    const eras: EraCounts[] = [];
    for (const item of answer.Responses?.[options.tableName] ?? []) {
      // The slot may hold another kind: its counts are not this kind's.
      if (item.kind?.S !== kind) continue;
      const itemEra = Number(String(item[DURATION_TABLE_KEY]?.S).split('#')[0]);
      const weights = Array.from({ length: HISTOGRAM_BUCKETS }, (_, i) => Number(item[bucketAttribute(i)]?.N ?? 0));
      eras.push({ era: itemEra, weights });
    }
    return eras.length > 0 ? eras : null;
  };

  return {
    async read(kind) {
      const at = now();
      let entry = cache.get(kind);
      if (!entry || entry.until <= at) {
        cache.delete(kind);
        if (cache.size >= maxCachedKinds) cache.delete(cache.keys().next().value as string);
        entry = { until: at + cacheTtlMs, eras: fetchEras(kind, at) };
        cache.set(kind, entry);
        // Remember a failure as "nothing known" for the TTL; this caller still sees the error.
        const settled = entry;
        settled.eras.catch(() => {
          if (cache.get(kind) === settled) cache.set(kind, { until: settled.until, eras: Promise.resolve(null) });
        });
      }
      const eras = await entry.eras;
      return eras === null ? null : combineEras(eras, at, clock);
    },

    async record(kind, seconds) {
      const at = now();
      const era = eraOf(at, clock);
      const bucket = bucketOf(seconds);
      const weight = String(sampleWeight(at, clock));
      const names = {
        '#kind': 'kind',
        '#expires': DURATION_TABLE_TTL_ATTRIBUTE,
        '#bucket': bucketAttribute(bucket),
        '#total': TOTAL_ATTRIBUTE,
        '#last': LAST_WRITE_ATTRIBUTE,
      };
      const values = {
        ':kind': { S: kind },
        // Readable while it is the current or the previous era, then a day to spare.
        ':expires': { N: String(Math.ceil(((era + 2) * eraMs) / 1000) + 24 * 3600) },
        ':weight': { N: weight },
        ':now': { N: String(at) },
      };
      try {
        await dynamodb.send(
          new UpdateItemCommand({
            TableName: options.tableName,
            Key: key(era, kind),
            UpdateExpression: 'SET #kind = if_not_exists(#kind, :kind), #expires = :expires, #last = :now ADD #bucket :weight, #total :weight',
            ConditionExpression: 'attribute_not_exists(#kind) OR #kind = :kind',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      // Another kind holds the slot: take it over if that kind is a squatter.
      try {
        await dynamodb.send(
          new UpdateItemCommand({
            TableName: options.tableName,
            Key: key(era, kind),
            UpdateExpression: `SET #kind = :kind, #expires = :expires, #last = :now, #bucket = :weight, #total = :weight REMOVE ${otherBuckets(bucket)}`,
            ConditionExpression: '#kind <> :kind AND #last < :idleSince AND #total < :protected',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: {
              ...values,
              ':idleSince': { N: String(at - takeoverAfterIdleMs) },
              // Decayed samples = total ÷ the weight of now, so "fewer than n" is total < n × that weight.
              ':protected': { N: String(protectedSamples * sampleWeight(at, clock)) },
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };
}
