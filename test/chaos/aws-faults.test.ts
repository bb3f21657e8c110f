/**
 * Our side failing: SNS Publish, the re-send (SQS SendMessage) and the idempotency store
 * (DynamoDB) refuse a share of calls. Failed records are reported in batchItemFailures and
 * come back; each job must still end in exactly one outcome.
 */
import { describe, expect, it } from 'vitest';
import { expectEveryJobAccountedFor } from './support/expect-accounted';
import { fastScenarios } from './support/fast-scenarios';
import { refusedPublishes } from './support/aws-faults';

const scenarios = fastScenarios();

describe('under AWS-side faults, every job ends in exactly one outcome', () => {
  it('retries a record whose SNS Publish was refused, and publishes it once', async () => {
    const report = await scenarios.run('sns-publish-failing');
    expectEveryJobAccountedFor(report);
    expect(refusedPublishes(report.collected.faultStats)).toBeGreaterThan(0);
  }, 60_000);

  it('retries only the records whose entry of a PublishBatch was refused, and publishes each once', async () => {
    const report = await scenarios.run('sns-batch-partially-failing');
    expectEveryJobAccountedFor(report);
    expect(report.collected.faultStats.refused.PublishBatchEntry).toBeGreaterThan(0);
  }, 60_000);

  it('writes a job that failed every delivery to the DLQ on its last one, with the reason', async () => {
    const report = await scenarios.run('sns-publish-down');
    expectEveryJobAccountedFor(report);
    expect({ outcomes: report.outcomes, inDlq: report.redriven, withoutReason: report.redrivenWithoutReason }).toEqual({
      outcomes: 0,
      inDlq: report.jobs,
      withoutReason: 0,
    });
  }, 60_000);

  it('keeps the original message when the re-send is refused, so no poll chain is dropped', async () => {
    const report = await scenarios.run('sqs-requeue-failing');
    expectEveryJobAccountedFor(report);
    expect(report.collected.faultStats.refused.SendMessageBatchCommand).toBeGreaterThan(0);
  }, 60_000);

  it('retries only the records whose entry of a SendMessageBatch was refused', async () => {
    const report = await scenarios.run('sqs-batch-partially-failing');
    expectEveryJobAccountedFor(report);
    expect(report.collected.faultStats.refused.SendMessageBatchEntry).toBeGreaterThan(0);
  }, 60_000);

  it('publishes once when the idempotency store refuses calls, even the save after a Publish', async () => {
    const report = await scenarios.run('idempotency-store-failing');
    expectEveryJobAccountedFor(report);
    expect(report.collected.faultStats.refused.UpdateItemCommand).toBeGreaterThan(0);
  }, 60_000);
});
