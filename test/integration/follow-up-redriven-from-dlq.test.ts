/**
 * Regression (attack): a follow-up whose first message reached the DLQ is LOST when it is redriven, although
 * docs/contracts.md and docs/reliability.md say "no verdict until it is redriven".
 *
 * The first-check claim (shared/watch/process-record.ts, `claimFirstCheck`; shared/aws/chain-store.ts)
 * is keyed on the SQS message id. A message that failed `maxReceiveCount` times holds the claim
 * under its old id; the project's own `redrive` (receive/send/delete on any endpoint without move
 * tasks, or with --max-messages) re-sends the body under a NEW message id, which loses the claim
 * and "ends quietly": no outcome for the follow-up, no verdict for its chain, nothing in the DLQ.
 *
 * Real pieces: fauxqs queues, dynalite chain store, the `redrive` command. The publisher (an SNS
 * outage) is the harness's recording one.
 */
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createDynamoDbChainStore } from '../../shared/aws/chain-store';
import { redriveCommand } from '../../shared/cli/redrive';
import { processRecord } from '../../shared/watch/process-record';
import { statusResponse } from '../support/alation-responses';
import { createHarness, sqsRecord } from '../support/record-harness';
import { localJobWatch, runCommand } from '../cli/operator-helpers';

const local = localJobWatch('attack-redrive');

describe('a follow-up redriven from the DLQ', () => {
  it('still gets its own outcome and its chain a verdict', async () => {
    const replies: Record<string, ReturnType<typeof statusResponse>> = {
      'id=7': statusResponse('successful', { result: 'Legacy(Rosemeta) write job_id (can be tracked using jobs API): 70' }),
      'id=70': statusResponse('successful', { result: '{"updated_objects": 1}' }),
    };
    const h = createHarness((url) => replies[url.split('?')[1]!]!);
    const chains = createDynamoDbChainStore({ dynamodb: local.aws.clients().dynamodb, tableName: local.resources.idempotencyTable.name, ttlSeconds: 3600 });
    Object.assign(h.deps, { followUps: { options: { enabled: true, maxDepth: 3 }, chains } });

    // The root ends and sends its follow-up (captured by the harness's SQS).
    await processRecord(sqsRecord({ jobId: 7 }, 'root-1'), h.deps);
    const childBody = h.sent.find((s) => JSON.parse(s.MessageBody!).jobId === 70)!.MessageBody!;

    // SNS is down for every delivery of the follow-up's first message (maxReceiveCount = 3 here).
    h.publishResult = new Error('SNS InternalError');
    for (let delivery = 0; delivery < 3; delivery++) {
      await expect(processRecord(sqsRecord(childBody, 'child-first'), h.deps)).rejects.toThrow('SNS InternalError');
    }
    // ...so SQS's redrive policy moves it to the DLQ (no reason attribute: it was not invalid).
    const sqs = local.aws.clients().sqs;
    await sqs.send(new SendMessageCommand({ QueueUrl: local.resources.deadLetterQueue.url, MessageBody: childBody }));

    // SNS is back; the operator follows docs/operating.md and redrives.
    h.publishResult = undefined;
    const run = await runCommand((io, set) => redriveCommand({ ...io, sqs: () => sqs }, set), [
      '--dlq-url', local.resources.deadLetterQueue.url, '--queue-url', local.resources.jobQueue.url,
    ]);
    expect(run.code).toBe(0);
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: local.resources.jobQueue.url, WaitTimeSeconds: 1, VisibilityTimeout: 60 }));
    expect(Messages).toHaveLength(1);
    await processRecord(sqsRecord(Messages[0]!.Body!, Messages[0]!.MessageId!), h.deps);

    const published = h.published.map((o) => `${o.chain ? 'verdict' : 'outcome'} ${JSON.stringify(o.job)}`);
    expect(published).toEqual(['outcome {"id":7}', 'outcome {"id":70}', 'verdict {"id":7}']);
  }, 30_000);
});
