/**
 * Regression (attack 1): a producer's body that is itself sendable (it came through SQS) but names a field
 * with a character SQS refuses makes the dead-letter `SendMessage` carry that character in its
 * `reason` attribute. SQS refuses attribute values with the same characters as bodies
 * (aws-notes.md), so `deadLetter` throws, the record is retried until the queue's redrive
 * policy moves it to the DLQ *without* a reason — the opposite of "DLQ with a reason".
 *
 * At fault: shared/contracts/job-reference.ts `toFieldIssue` (paths and unknown keys copied raw
 * into the message; JSON.stringify escapes lone surrogates but not U+FFFE/U+FFFF) and
 * shared/aws/job-queue.ts `deadLetter` (`reason.slice(0, 1000)` neither made sendable nor cut on
 * a code-point boundary).
 */
import { describe, expect, it } from 'vitest';
import { isSendableText } from '../../shared/contracts/sendable-text';
import { processRecord } from '../../shared/watch/process-record';
import { DLQ_URL, createHarness, sqsRecord } from '../support/record-harness';

function deadLettered(body: string) {
  // The body is what SQS delivered: well-formed, only escapes inside the JSON.
  expect(isSendableText(body)).toBe(true);
  const h = createHarness(() => ({ status: 'successful', msg: null, result: null }));
  return { h, run: () => processRecord(sqsRecord(body), h.deps) };
}

describe('an invalid producer body reaches the DLQ with a reason SQS accepts', () => {
  it.each([
    ['a context key holding a lone surrogate (escaped in the body)', '{"jobId":1,"context":{"\\ud800":1}}'],
    ['a context key holding U+FFFE (escaped in the body)', '{"jobId":1,"context":{"k\\ufffe":1}}'],
    ['an unknown top-level field named U+FFFF (escaped in the body)', '{"jobId":1,"\\uffff":1}'],
    ['an unknown field of emoji whose reason is cut inside a surrogate pair', JSON.stringify({ jobId: 1, ['a' + '😀'.repeat(600)]: 1 })],
  ])('%s', async (_what, body) => {
    const { h, run } = deadLettered(body);
    await run();
    const toDlq = h.sent.filter((s) => s.QueueUrl === DLQ_URL);
    expect(toDlq).toHaveLength(1);
    const reason = toDlq[0]!.MessageAttributes!.reason!.StringValue!;
    expect(reason).toMatch(/invalid job reference/);
    // The project's own rule for what SQS accepts (sendable-text.ts):
    expect(isSendableText(reason)).toBe(true);
  });
});
