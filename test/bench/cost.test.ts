import { describe, expect, it } from 'vitest';
import { costPer1000Jobs, LIST_PRICES, stepFunctionsPer1000Jobs } from './lib/cost';

const counts = {
  jobs: 1000,
  checks: 10_000,
  recordsPerInvocation: 10,
  billedMsPerInvocation: 200,
  memoryMb: 1024,
  dynamoWritesPerOutcome: 2,
  secretCalls: 10,
};

describe('costPer1000Jobs', () => {
  it('counts one send per job and per re-send, and a receive and a delete per invocation', () => {
    const cost = costPer1000Jobs(counts);
    expect(cost.requests).toEqual({ sqs: 1000 + 9000 + 2 * 1000, sns: 1000, lambdaInvocations: 1000, lambdaGbSeconds: 200, dynamoDbWrites: 2000, secretsManager: 10 });
    expect(cost.sqs).toBeCloseTo(12_000 * LIST_PRICES.sqsPerRequest, 12);
    expect(cost.lambda).toBeCloseTo(1000 * LIST_PRICES.lambdaPerRequest + 200 * LIST_PRICES.lambdaPerGbSecondArm64, 12);
    expect(cost.total).toBeCloseTo(cost.sqs + cost.sns + cost.lambda + cost.dynamoDb + cost.secretsManager, 12);
  });

  it('counts batched re-sends as one request per batch', () => {
    expect(costPer1000Jobs({ ...counts, resendsPerRequest: 9 }).requests.sqs).toBe(1000 + 1000 + 2 * 1000);
  });

  it('scales any workload to 1,000 jobs', () => {
    const twice = costPer1000Jobs({ ...counts, jobs: 2000, checks: 20_000, secretCalls: 20 });
    expect(twice.total).toBeCloseTo(costPer1000Jobs(counts).total, 12);
  });
});

describe('stepFunctionsPer1000Jobs', () => {
  it('prices three transitions per check plus start and publish', () => {
    const sfn = stepFunctionsPer1000Jobs(1000, 10_000);
    expect(sfn.transitions).toBe(32_000);
    expect(sfn.total).toBeCloseTo(32_000 * LIST_PRICES.stepFunctionsPerTransition + 1000 * LIST_PRICES.snsPublishPerRequest, 12);
  });
});
