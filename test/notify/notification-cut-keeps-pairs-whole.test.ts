/**
 * Regression (attack 1): Alation's text is made sendable by the client, but the notification builder then cuts
 * long text with `String.slice` (shared/notify/notification.ts `cut`, and email-text.ts
 * `result.text.slice(0, 2000)`), which can split a surrogate pair. The outcome subscribers receive
 * then carries a lone surrogate (an escaped `\ud83d` in the JSON — which strict JSON readers such as
 * Rust's serde_json refuse — and a raw one in the email text), breaking "replaced when they come
 * from Alation".
 */
import { describe, expect, it } from 'vitest';
import { isSendableText } from '../../shared/contracts/sendable-text';
import { buildNotification } from '../../shared/notify/notification';
import { processRecord } from '../../shared/watch/process-record';
import { createHarness, sqsRecord } from '../support/record-harness';

describe('a notification cut to fit SNS', () => {
  it('keeps every string well-formed when a cut falls inside an emoji', async () => {
    // 1 ASCII character, then emoji: every cut at an odd index lands between a pair's halves.
    const msg = `x${'😀'.repeat(150_000)}`;
    const h = createHarness(() => ({ status: 'failed', msg, result: `x${'😀'.repeat(2_000)}` }));
    await processRecord(sqsRecord({ jobId: 9 }), h.deps);
    const outcome = h.published[0]!;
    expect(isSendableText(outcome.message!)).toBe(true); // the client kept Alation's text well-formed

    const notification = buildNotification(outcome);
    expect(notification.outcome.result.truncated).toBe(true);
    expect(isSendableText(notification.outcome.message!)).toBe(true);
    const { default: json, email } = JSON.parse(notification.Message) as { default: string; email: string };
    expect(json).not.toMatch(/\\ud83d(?!\\ude00)/i);
    expect(isSendableText(email)).toBe(true);
  });

  it('keeps the email text well-formed when the result text is cut at 2000 characters', async () => {
    const h = createHarness(() => ({ status: 'successful', msg: null, result: `x${'😀'.repeat(2_000)}` }));
    await processRecord(sqsRecord({ jobId: 10 }), h.deps);
    const { email } = JSON.parse(buildNotification(h.published[0]!).Message) as { email: string };
    expect(isSendableText(email)).toBe(true);
  });
});
