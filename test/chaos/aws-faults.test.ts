/**
 * Our side failing: SNS Publish, the re-send (SQS SendMessage) and the idempotency store
 * (DynamoDB) refuse a share of calls. Failed records are reported in batchItemFailures and
 * come back; each job must still end in exactly one outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectEveryJobAccountedFor } from './support/expect-accounted';
import { captureLogs, type LogCapture } from './support/log-capture';
import { runScenario } from './support/scenario';
import { scenarioSpecs } from './support/scenarios';

const specs = scenarioSpecs('fast', { foreignBaseUrl: 'http://127.0.0.1:9' });
let logs: LogCapture;

beforeAll(() => {
  logs = captureLogs();
});
afterAll(() => logs.restore());

describe('under AWS-side faults, every job ends in exactly one outcome', () => {
  it('retries a record whose SNS Publish was refused, and publishes it once', async () => {
    const report = await runScenario(specs['sns-publish-failing']!, logs.lines);
    expectEveryJobAccountedFor(report);
    expect(report.collected.faultStats.refused.PublishCommand).toBeGreaterThan(0);
  }, 60_000);

  it('keeps the original message when the re-send is refused, so no poll chain is dropped', async () => {
    const report = await runScenario(specs['sqs-requeue-failing']!, logs.lines);
    expectEveryJobAccountedFor(report);
    expect(report.collected.faultStats.refused.SendMessageCommand).toBeGreaterThan(0);
  }, 60_000);

  it('publishes once when the idempotency store refuses calls, even the save after a Publish', async () => {
    const report = await runScenario(specs['idempotency-store-failing']!, logs.lines);
    expectEveryJobAccountedFor(report);
    expect(report.collected.faultStats.refused.UpdateItemCommand).toBeGreaterThan(0);
  }, 60_000);
});
