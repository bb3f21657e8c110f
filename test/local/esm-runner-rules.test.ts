import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { settleBatch } from '../../shared/local/esm-runner/batch-settlement';
import { HandlerTimeoutError } from '../../shared/local/esm-runner/errors';
import { createLambdaContext } from '../../shared/local/esm-runner/lambda-context';
import { toSqsRecord } from '../../shared/local/esm-runner/sqs-event';

const ids = ['m-1', 'm-2', 'm-3'] as const;
const returned = (response: unknown) => ({ kind: 'returned', response }) as const;

describe('settleBatch (Lambda rules for ReportBatchItemFailures)', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty object', {}],
    ['a null batchItemFailures', { batchItemFailures: null }],
    ['an empty batchItemFailures', { batchItemFailures: [] }],
  ])('deletes every record when the handler returns %s', (_, response) => {
    expect(settleBatch(ids, returned(response))).toEqual({ kind: 'succeeded', deleteMessageIds: [...ids], failedMessageIds: [] });
  });

  it('keeps the listed records and deletes the others', () => {
    const settlement = settleBatch(ids, returned({ batchItemFailures: [{ itemIdentifier: 'm-2' }] }));

    expect(settlement).toEqual({ kind: 'partially-failed', deleteMessageIds: ['m-1', 'm-3'], failedMessageIds: ['m-2'] });
  });

  it('fails the whole batch when the handler throws', () => {
    const settlement = settleBatch(ids, { kind: 'threw', error: new TypeError('boom') });

    expect(settlement).toMatchObject({ kind: 'failed', deleteMessageIds: [], reason: 'handler-error', detail: 'TypeError: boom' });
  });

  it('fails the whole batch when the handler times out', () => {
    const settlement = settleBatch(ids, { kind: 'threw', error: new HandlerTimeoutError(1500) });

    expect(settlement).toMatchObject({ kind: 'failed', detail: 'HandlerTimeoutError: Task timed out after 1.50 seconds' });
  });

  it.each([
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a misspelt key', { batchItemFailures: [{ itemIdentifer: 'm-1' }] }],
    ['an unknown message id', { batchItemFailures: [{ itemIdentifier: 'm-1' }, { itemIdentifier: 'other' }] }],
    ['batchItemFailures that is not a list', { batchItemFailures: 'm-1' }],
    ['a response that is not an object', 'ok'],
  ])('fails the whole batch for %s', (_, response) => {
    const settlement = settleBatch(ids, returned(response));

    expect(settlement).toMatchObject({ kind: 'failed', reason: 'invalid-response', deleteMessageIds: [], failedMessageIds: [...ids] });
  });

  it('ignores the response when ReportBatchItemFailures is off', () => {
    const settlement = settleBatch(ids, returned({ batchItemFailures: [{ itemIdentifier: 'm-1' }] }), {
      reportBatchItemFailures: false,
    });

    expect(settlement.kind).toBe('succeeded');
  });
});

describe('toSqsRecord', () => {
  const message = (overrides: Partial<Message> = {}): Message => ({
    MessageId: 'id-1',
    ReceiptHandle: 'rh-1',
    Body: '{"jobId":1}',
    MD5OfBody: 'md5-body',
    MD5OfMessageAttributes: 'md5-attrs',
    Attributes: { ApproximateReceiveCount: '3', SentTimestamp: '100', SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: '200' },
    MessageAttributes: {
      status: { DataType: 'String', StringValue: 'running' },
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
    },
    ...overrides,
  });

  it('maps an SQS API message to the record Lambda delivers', () => {
    const record = toSqsRecord(message(), { queueArn: 'arn:aws:sqs:us-east-1:000000000000:q', region: 'us-east-1' });

    expect(record).toEqual({
      messageId: 'id-1',
      receiptHandle: 'rh-1',
      body: '{"jobId":1}',
      attributes: { ApproximateReceiveCount: '3', SentTimestamp: '100', SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: '200' },
      messageAttributes: {
        status: { stringValue: 'running', stringListValues: [], binaryListValues: [], dataType: 'String' },
        blob: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: 'md5-body',
      md5OfMessageAttributes: 'md5-attrs',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
      awsRegion: 'us-east-1',
    });
  });

  it('gives an empty messageAttributes object when the message has none', () => {
    const record = toSqsRecord(message({ MessageAttributes: undefined, MD5OfMessageAttributes: undefined }), {
      queueArn: 'arn',
      region: 'us-east-1',
    });

    expect(record.messageAttributes).toEqual({});
    expect(record).not.toHaveProperty('md5OfMessageAttributes');
  });
});

describe('createLambdaContext', () => {
  it('counts the remaining time down from the function timeout, never below zero', () => {
    let now = 1_000;
    const context = createLambdaContext({ functionName: 'job-status', timeoutMs: 3_000, region: 'us-east-1', now: () => now });

    const atStart = context.getRemainingTimeInMillis();
    now += 1_200;
    const later = context.getRemainingTimeInMillis();
    now += 5_000;

    expect([atStart, later, context.getRemainingTimeInMillis()]).toEqual([3_000, 1_800, 0]);
    expect(context).toMatchObject({
      functionName: 'job-status',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:job-status',
      logGroupName: '/aws/lambda/job-status',
    });
  });

  it('gives each invocation its own request id', () => {
    const options = { functionName: 'f', timeoutMs: 1, region: 'us-east-1' };

    expect(createLambdaContext(options).awsRequestId).not.toBe(createLambdaContext(options).awsRequestId);
  });
});
