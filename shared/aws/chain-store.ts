import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChainJob } from '../contracts/follow-up';
import { awsClientConfig } from './client-timeouts';
import { memberKey, type ChainEnd, type ChainMemberState, type ChainState, type ChainStore } from '../watch/chain';

export interface DynamoDbChainStoreOptions {
  /** Built from the environment unless given. */
  readonly dynamodb?: DynamoDBClient;
  /**
   * The idempotency table. Chains live there beside the outcome records (their own key
   * prefix, the same `id`/`expiration` layout), so they need no table, grant or alarm of
   * their own; Powertools never reads keys it did not write.
   */
  readonly tableName: string;
  /** How long a chain is kept: it must outlive its longest possible watch. */
  readonly ttlSeconds: number;
  readonly now?: () => Date;
}

/** Keys do not depend on the function's name, like the outcome records' (`outcome-publisher.ts`). */
const KEY_PREFIX = 'alation-job-watch#chain#';

/**
 * The chain item's key: the SHA-256 of the root's job key, so it has a fixed size. A valid
 * root name (1024 characters, up to 4 KB of UTF-8) would exceed DynamoDB's 2048-byte
 * partition key; Powertools hashes the outcome records' keys for the same reason.
 */
export function chainItemId(root: ChainJob): string {
  return `${KEY_PREFIX}${createHash('sha256').update(memberKey(root)).digest('hex')}`;
}
/**
 * One item per chain; each member is three top-level attributes, so every write touches
 * disjoint paths (DynamoDB refuses overlapping paths in one update) and each can be
 * `if_not_exists`: `m:` membership (depth, parent), `e:` the first recorded end,
 * `q:` its message was sent, `c:` the claim token (or, for older bodies, the SQS message id) that claimed its watch.
 */
const MEMBER = 'm:';
const END = 'e:';
const ENQUEUED = 'q:';
const CLAIM = 'c:';
/** `u:` true from a member's end until its own outcome is published (absent on older items: published). */
const UNPUBLISHED = 'u:';

interface StoredMember {
  readonly job: ChainJob;
  readonly depth: number;
  readonly parent: ChainJob | null;
}

/**
 * Chains on DynamoDB: each method is one conditional or idempotent `UpdateItem`, so
 * concurrent members ending at once see one consistent item, and exactly one of them (the
 * write after which every member has ended) sees the chain complete.
 */
export function createDynamoDbChainStore(options: DynamoDbChainStoreOptions): ChainStore {
  // lib-dynamodb refuses a client that caches its middleware (see awsClientConfig).
  const documents = DynamoDBDocumentClient.from(options.dynamodb ?? new DynamoDBClient(awsClientConfig({ cacheMiddleware: false })), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const now = options.now ?? (() => new Date());
  const key = (root: ChainJob) => ({ id: chainItemId(root) });
  const expiration = () => Math.floor(now().getTime() / 1000) + options.ttlSeconds;

  return {
    async recordEnd(root, end, children) {
      const names: Record<string, string> = { '#exp': 'expiration' };
      const values: Record<string, unknown> = { ':exp': expiration() };
      const sets = ['#exp = if_not_exists(#exp, :exp)'];
      const add = (attribute: string, value: unknown) => {
        const n = sets.length;
        names[`#a${n}`] = attribute;
        values[`:v${n}`] = value;
        sets.push(`#a${n} = if_not_exists(#a${n}, :v${n})`);
      };
      const self = memberKey(end.job);
      add(`${MEMBER}${self}`, { job: end.job, depth: end.depth, parent: end.parent } satisfies StoredMember);
      add(`${END}${self}`, end);
      add(`${UNPUBLISHED}${self}`, true);
      for (const child of children) {
        add(`${MEMBER}${memberKey(child)}`, { job: child, depth: end.depth + 1, parent: end.job } satisfies StoredMember);
      }
      const { Attributes = {} } = await documents.send(
        new UpdateCommand({
          TableName: options.tableName,
          Key: key(root),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return readChain(Attributes);
    },

    async markPublished(root, end) {
      const self = memberKey(end.job);
      const { Attributes = {} } = await documents.send(
        new UpdateCommand({
          TableName: options.tableName,
          Key: key(root),
          UpdateExpression: 'SET #e = :end, #u = :false, #exp = if_not_exists(#exp, :exp)',
          ExpressionAttributeNames: { '#e': `${END}${self}`, '#u': `${UNPUBLISHED}${self}`, '#exp': 'expiration' },
          ExpressionAttributeValues: { ':end': end, ':false': false, ':exp': expiration() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return readChain(Attributes);
    },

    async markEnqueued(root, child) {
      await documents.send(
        new UpdateCommand({
          TableName: options.tableName,
          Key: key(root),
          UpdateExpression: 'SET #q = :true',
          ExpressionAttributeNames: { '#q': `${ENQUEUED}${memberKey(child)}` },
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    },

    async claimFirstCheck(root, job, claim) {
      try {
        await documents.send(
          new UpdateCommand({
            TableName: options.tableName,
            Key: key(root),
            UpdateExpression: 'SET #c = :mid, #exp = if_not_exists(#exp, :exp)',
            ConditionExpression: 'attribute_not_exists(#c) OR #c = :mid',
            ExpressionAttributeNames: { '#c': `${CLAIM}${memberKey(job)}`, '#exp': 'expiration' },
            ExpressionAttributeValues: { ':mid': claim, ':exp': expiration() },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  };
}

/** The chain an item holds; attributes it does not know are ignored. */
export function readChain(item: Record<string, unknown>): ChainState {
  const members: ChainMemberState[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(MEMBER)) continue;
    const suffix = name.slice(MEMBER.length);
    const stored = value as StoredMember;
    const end = item[`${END}${suffix}`] as ChainEnd | undefined;
    members.push({
      job: stored.job,
      depth: stored.depth,
      parent: stored.parent ?? null,
      enqueued: item[`${ENQUEUED}${suffix}`] === true,
      end: end ?? null,
      published: end !== undefined && item[`${UNPUBLISHED}${suffix}`] !== true,
    });
  }
  return { members };
}
