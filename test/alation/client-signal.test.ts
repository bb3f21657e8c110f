import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlationClient } from '../../shared/alation/client';
import { AlationError, TimeBudgetError } from '../../shared/errors';
import { startTestServer, type TestServer } from '../support/http-server';

let silent: TestServer;
beforeAll(async () => {
  silent = await startTestServer(() => undefined); // never answers
});
afterAll(() => silent.close());

const abortAfter = (ms: number) => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new TimeBudgetError('the record ran out of time')), ms);
  return controller.signal;
};

describe('the Alation client under a caller’s signal', () => {
  it('stops a status check when the record’s time runs out, with the signal’s reason rather than an Alation timeout', async () => {
    const alation = createAlationClient({ baseUrl: silent.url, timeoutMs: 5000 });
    const started = performance.now();
    const error = await alation.getJobStatus({ id: 1 }, 'secret-token', abortAfter(100)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeBudgetError);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('stops a token mint the same way', async () => {
    const alation = createAlationClient({ baseUrl: silent.url, timeoutMs: 5000 });
    await expect(alation.createAccessToken('refresh-secret', 7, abortAfter(100))).rejects.toBeInstanceOf(TimeBudgetError);
  });

  it('still reports its own timeout as an Alation timeout when the caller has time left', async () => {
    const alation = createAlationClient({ baseUrl: silent.url, timeoutMs: 150 });
    const error = await alation.getJobStatus({ id: 1 }, 'secret-token', abortAfter(5000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlationError);
    expect(error).toMatchObject({ errorClass: 'timeout' });
  });
});
