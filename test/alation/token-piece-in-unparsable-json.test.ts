/**
 * Regression (attack 1): an Alation answer that is JSON-ish but does not parse (a body cut short by a proxy or
 * a timeout, `{"detail": "…` without its end) is cleaned as raw text only (shared/alation/client.ts
 * `describeBody` → `secrets.clean(text)`), so a token spelt with one `\u` escape is not found and
 * all but one of its characters go into the error message — which is logged, stored in
 * `watch.lastError` of every re-sent body and published in `timed_out` outcomes. The project's own
 * redaction property (test/alation/redaction.property.test.ts) allows no 4-character piece of the
 * token; its `notJson` case only ever uses the plain token.
 */
import { describe, expect, it } from 'vitest';
import { createAlationClient } from '../../shared/alation/client';

const TOKEN = 'QWZXKJVBMQWZXKJVBMQWZXKJ';

describe('an error body that is cut-short JSON', () => {
  it.each([401, 500])('HTTP %i: no 4-character piece of the token reaches the error message', async (status) => {
    const spelt = `${TOKEN.slice(0, 12)}\\u${TOKEN.charCodeAt(12).toString(16).padStart(4, '0')}${TOKEN.slice(13)}`;
    const body = `{"detail": "Invalid token ${spelt} for user 5", "code": "4010`; // cut short: not JSON
    const client = createAlationClient({
      baseUrl: 'https://alation.example.com',
      timeoutMs: 1000,
      fetch: (async () => new Response(body, { status, headers: { 'content-type': 'application/json' } })) as typeof fetch,
    });
    const message = await client.getJobStatus({ id: 7 }, TOKEN).then(() => '', (e: Error) => e.message);
    expect(message).toMatch(/HTTP/);
    for (let i = 0; i + 4 <= TOKEN.length; i++) expect(message).not.toContain(TOKEN.slice(i, i + 4));
  });
});
