/**
 * Regression (attack 1): the Alation token leaks into a published outcome when Alation's `result` is a JSON
 * *string scalar* that spells the token with `\u` escapes.
 *
 * `KnownSecrets.cleanEmbeddedJson` (shared/alation/redact.ts) only re-parses strings that start
 * with `[` or `{`; `parseResult` (shared/alation/parse-result.ts, `decode`) then JSON.parses
 * *any* string result, including `"..."`, and the escapes turn into the token in `result.text`.
 */
import { describe, expect, it } from 'vitest';
import { processRecord } from '../../shared/watch/process-record';
import { buildNotification } from '../../shared/notify/notification';
import { createHarness, sqsRecord } from '../support/record-harness';

const TOKEN = 'token-v1-abcdef0123456789';

function escaped(text: string): string {
  return [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
}

describe('the token never reaches an outcome', () => {
  it('is not published when the result is a JSON string literal spelling the token with \\u escapes', async () => {
    const h = createHarness(() => ({
      status: 'successful',
      msg: 'Job finished in 1.0 seconds at 2017-01-12 23:52:34.307327+00:00',
      // As text on the wire: "\"Invalid credentials \u0074\u006f...\"" — no literal token anywhere.
      result: `"Invalid credentials ${escaped(TOKEN)}"`,
    }));
    h.secretValue = TOKEN;
    await processRecord(sqsRecord({ jobId: 7 }), h.deps);
    expect(h.published).toHaveLength(1);
    const notification = buildNotification(h.published[0]!);
    expect(JSON.stringify(h.published[0])).not.toContain(TOKEN);
    expect(notification.Message).not.toContain(TOKEN);
    expect(JSON.parse(JSON.parse(notification.Message).default).result.text).not.toContain(TOKEN);
  });
});
