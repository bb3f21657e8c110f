import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlationClient } from '../../shared/alation/client';
import { AlationError, AlationErrorClass } from '../../shared/errors';
import { startAlationSimulator, type AlationSimulator } from '../../shared/local/simulator';
import { makeTestPki, startTlsFront, type TestPki } from '../support/tls';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./fixtures/check-over-tls.ts', import.meta.url));

let simulator: AlationSimulator;
let front: { url: string; stop: () => Promise<void> };
let pki: TestPki;
let otherPki: TestPki;

beforeAll(async () => {
  pki = makeTestPki('Company');
  otherPki = makeTestPki('Other');
  simulator = await startAlationSimulator({ jobs: [{ id: 7, durationMs: 0, preset: 'qli' }] });
  front = await startTlsFront(pki, Number(new URL(simulator.url).port));
}, 60_000);
afterAll(async () => {
  await front?.stop();
  await simulator?.stop();
});

/** One status check from a fresh Node process with this environment (NODE_EXTRA_CA_CERTS is read at start-up). */
async function checkInChild(env: Record<string, string>): Promise<{ ok: boolean; status?: string; errorClass?: string; message?: string }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, front.url, '7'], {
    env: { PATH: process.env.PATH ?? '', ALATION_TOKEN: simulator.accessToken, ...env },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
}

describe('Alation behind a private CA, over real TLS on loopback', () => {
  it('fails an untrusted certificate with the tls error class, saying how to trust the CA', async () => {
    const client = createAlationClient({ baseUrl: front.url, timeoutMs: 5000 });

    const error = await client.getJobStatus({ id: 7 }, simulator.accessToken).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AlationError);
    expect((error as AlationError).errorClass).toBe(AlationErrorClass.tls);
    expect((error as AlationError).retryable).toBe(false);
    expect((error as AlationError).message).toMatch(/TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\).*alationCaCertificatePath/);
    expect((error as AlationError).message).not.toContain(simulator.accessToken);
  });

  it('succeeds in a process started with NODE_EXTRA_CA_CERTS naming the CA, as the function is deployed', async () => {
    expect(await checkInChild({ NODE_EXTRA_CA_CERTS: pki.caPath })).toEqual({ ok: true, status: 'successful' });
  });

  it('still fails with another CA configured: the extra CA adds trust only in what it issued', async () => {
    const result = await checkInChild({ NODE_EXTRA_CA_CERTS: otherPki.caPath });

    expect(result).toMatchObject({ ok: false, errorClass: 'tls' });
  });

  it('still fails in a fresh process without the CA (the success above is the CA, not the process)', async () => {
    expect(await checkInChild({})).toMatchObject({ ok: false, errorClass: 'tls' });
  });
});
