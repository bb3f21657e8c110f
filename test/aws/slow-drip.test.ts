import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_CALL_WORST_MS, awsClientConfig } from '../../shared/aws/client-timeouts';
import { secretsManagerTokenProvider } from '../../shared/aws/secrets-manager-tokens';
import type { AlationClient } from '../../shared/alation/client';

/**
 * Found by an attacker's review: a Secrets Manager stand-in that answers its headers at once and then drips the body,
 * one byte every 300 ms. The SDK's `requestTimeout` (client-timeouts.ts) is cleared by
 * @smithy/node-http-handler once the headers arrive, and no timer covers reading the body, so
 * the call never ends: `AWS_CALL_WORST_MS` ("the longest one SDK call can take") is not a bound.
 * token-provider.ts caches that pending read as `current`, so every later record of the warm
 * environment waits on the same stuck read until its own time budget aborts it: no record can
 * get a token again until the environment is recycled, and each is retried towards the DLQ.
 */
let server: Server;
let endpoint: string;
const drips: ServerResponse[] = [];
const timers: NodeJS.Timeout[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.write('{"Name":"t","SecretString":"');
    drips.push(res);
    timers.push(setInterval(() => res.write('a'), 300));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const t of timers) clearInterval(t);
  for (const r of drips) r.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const client = () =>
  new SecretsManagerClient({
    ...awsClientConfig(),
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDATTACK', secretAccessKey: 'attack' },
  });

const settlesWithin = (promise: Promise<unknown>, ms: number) =>
  Promise.race([
    promise.then(
      () => 'settled',
      () => 'settled',
    ),
    new Promise((resolve) => setTimeout(() => resolve('still pending'), ms)),
  ]);

describe('a Secrets Manager that drips its answer', () => {
  it('cannot hold one SDK call past AWS_CALL_WORST_MS', async () => {
    const outcome = await settlesWithin(client().send(new GetSecretValueCommand({ SecretId: 't' })), AWS_CALL_WORST_MS + 1500);
    expect(outcome, `GetSecretValue after ${AWS_CALL_WORST_MS + 1500} ms`).toBe('settled');
  }, 20_000);

  it('cannot wedge the token provider for every later record', async () => {
    const alation = { createAccessToken: async () => 'minted' } as unknown as AlationClient;
    const tokens = secretsManagerTokenProvider('t', client(), alation);
    // The first record gives up on its own budget, as it should.
    await expect(tokens.getToken(AbortSignal.timeout(1000))).rejects.toThrow();
    // A record arriving after the worst SDK time still finds the same read pending.
    await new Promise((r) => setTimeout(r, AWS_CALL_WORST_MS));
    // The stand-in still drips, so a later record's own read fails too — but within one call's
    // bound, instead of waiting on the first, stuck read for ever.
    const later = await settlesWithin(tokens.getToken(), AWS_CALL_WORST_MS + 1500);
    expect(later, 'a later record waiting for a token').toBe('settled');
  }, 30_000);
});
