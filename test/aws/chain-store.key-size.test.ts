/**
 * Regression (attack): a valid root job *name* (≤ 1024 characters, the contract's limit) whose UTF-8 form is
 * longer than ~2 KB cannot be a chain root on real DynamoDB: the chain item's partition key is the
 * raw name (`alation-job-watch#chain#name:<name>`, shared/aws/chain-store.ts `key`), and DynamoDB
 * refuses partition keys over 2048 *bytes* (UTF-8). `recordEnd` then throws on every delivery and,
 * because it runs *before* the root's own publish (shared/watch/job-end.ts), the root never gets
 * its outcome: the record is retried until the redrive policy dead-letters it, without a reason.
 * (Outcome records do not have this problem: Powertools hashes their key.)
 *
 * dynalite counts the key in *characters* (node_modules/dynalite/db/index.js `checkKeySize`), so it
 * accepts what DynamoDB refuses; this test therefore records the key the store sends to dynalite and
 * holds it to DynamoDB's documented limit.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDynamoDbChainStore } from '../../shared/aws/chain-store';
import { MAX_JOB_NAME_LENGTH } from '../../shared/alation/job-identifier';
import { processRecord } from '../../shared/watch/process-record';
import { statusResponse } from '../support/alation-responses';
import { createHarness, sqsRecord } from '../support/record-harness';
import { localJobWatch } from '../cli/operator-helpers';

const local = localJobWatch('attack-chainkey');
/** DynamoDB's limit on a partition key value, in UTF-8 bytes. */
const MAX_PARTITION_KEY_BYTES = 2048;

describe('a root named with a name the contract accepts', () => {
  it('keys its chain within DynamoDB partition-key limit', async () => {
    const name = `Lineage#${'データ'.repeat(300)}`; // 908 characters, 2708 UTF-8 bytes
    expect(name.length).toBeLessThanOrEqual(MAX_JOB_NAME_LENGTH);
    const h = createHarness(() => statusResponse('successful', { result: 'Legacy(Rosemeta) write job_id (can be tracked using jobs API): 70' }));

    const dynamodb = new DynamoDBClient({ endpoint: local.aws.endpoints.dynamodb, region: local.aws.region, credentials: local.aws.credentials });
    const keys: string[] = [];
    dynamodb.middlewareStack.add(
      (next) => async (args) => {
        const id = (args as { input: { Key?: { id?: string | { S?: string } } } }).input.Key?.id;
        const key = typeof id === 'string' ? id : id?.S;
        if (key !== undefined) keys.push(key);
        return next(args);
      },
      { step: 'initialize' },
    );
    const chains = createDynamoDbChainStore({ dynamodb, tableName: local.resources.idempotencyTable.name, ttlSeconds: 3600 });
    Object.assign(h.deps, { followUps: { options: { enabled: true, maxDepth: 3 }, chains } });

    await processRecord(sqsRecord({ jobName: name }), h.deps);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(Buffer.byteLength(key, 'utf8')).toBeLessThanOrEqual(MAX_PARTITION_KEY_BYTES);
    dynamodb.destroy();
  }, 30_000);
});
