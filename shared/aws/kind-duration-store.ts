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
import { awsClientConfig } from './client-timeouts';

export interface DynamoDbKindDurationStoreOptions {
  /** @default a client built from the environment (honours `AWS_ENDPOINT_URL_DYNAMODB`) */
  readonly dynamodb?: Pick<DynamoDBClient, 'send'> | undefined;
  readonly tableName: string;
  /**
   * Places for kinds. A kind hashes to one slot; the first kind to record in a slot keeps it
   * (for the era), and a kind whose slot is taken is not learned. So the table never holds more
   * than `slots` items per era, however many distinct kinds producers send.
   * @default 1024
   */
  readonly slots?: number;
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

const bucketAttribute = (i: number) => `b${i}`;

/**
 * The learned durations per kind, in DynamoDB (see `duration-histogram.ts` for the arithmetic).
 *
 * - **Atomic:** a sample is one `UpdateItem` that `ADD`s its weight to its bucket, so
 *   concurrent execution environments never lose each other's counts, and nothing is read first.
 * - **Bounded:** kinds live in a fixed number of hashed slots per era, claimed with a condition
 *   (`attribute_not_exists(kind) OR kind = :kind`); items expire (TTL) two eras after theirs.
 * - **Cached:** a kind's eras are read with one `BatchGetItem` and reused for `cacheTtlMs`; a
 *   failed read is remembered as "no knowledge" for as long, so a broken table costs one
 *   request per kind per minute, not one per record.
 */
export function createDynamoDbKindDurationStore(options: DynamoDbKindDurationStoreOptions): KindDurationStore {
  const slots = options.slots ?? 1024;
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

  /** One `UpdateItem` for any number of samples of one kind: an `ADD` per bucket they fall in. */
  const recordAll = async (kind: string, seconds: readonly number[]): Promise<boolean> => {
    if (seconds.length === 0) return true;
    const at = now();
    const era = eraOf(at, clock);
    const weight = sampleWeight(at, clock);
    const perBucket = new Map<number, number>();
    for (const s of seconds) perBucket.set(bucketOf(s), (perBucket.get(bucketOf(s)) ?? 0) + 1);
    const names: Record<string, string> = { '#kind': 'kind', '#expires': DURATION_TABLE_TTL_ATTRIBUTE };
    const values: Record<string, { S: string } | { N: string }> = {
      ':kind': { S: kind },
      // Readable while it is the current or the previous era, then a day to spare.
      ':expires': { N: String(Math.ceil(((era + 2) * eraMs) / 1000) + 24 * 3600) },
    };
    const adds: string[] = [];
    for (const [bucket, count] of perBucket) {
      names[`#b${bucket}`] = bucketAttribute(bucket);
      values[`:w${bucket}`] = { N: String(weight * count) };
      adds.push(`#b${bucket} :w${bucket}`);
    }
    try {
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: options.tableName,
          Key: key(era, kind),
          UpdateExpression: `SET #kind = if_not_exists(#kind, :kind), #expires = :expires ADD ${adds.join(', ')}`,
          ConditionExpression: 'attribute_not_exists(#kind) OR #kind = :kind',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
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

    record: (kind, seconds) => recordAll(kind, [seconds]),
    recordAll,
  };
}
