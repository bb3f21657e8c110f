/**
 * The local Secrets Manager as `startLocalAws` runs it (and so `npm start --alation-url`):
 * it holds the real Alation token and the watch-state key, so it answers only requests signed
 * (SigV4) with this run's random credentials.
 */
import { request } from 'node:http';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, provisionJobWatch, startLocalAws, type JobWatchResources, type LocalAws } from '../../shared/local/aws';

const REAL_TOKEN = 'real-alation-token-that-must-stay-put';
let aws: LocalAws;
let resources: JobWatchResources;
const clientWith = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
  new SecretsManagerClient({ endpoint: aws.endpoints.secretsManager, region: aws.region, credentials, maxAttempts: 1 });

beforeAll(async () => {
  aws = await startLocalAws();
  resources = await provisionJobWatch(aws, { prefix: 'auth', tokenSecretValue: REAL_TOKEN });
});
afterAll(async () => aws?.stop());

describe('the local Secrets Manager of a run', () => {
  it("answers the run's own clients", async () => {
    const { SecretString } = await aws.clients().secretsManager.send(new GetSecretValueCommand({ SecretId: resources.tokenSecret.arn }));
    expect(SecretString).toBe(REAL_TOKEN);
  });

  it('answers a client built from the environment the run hands the handler', async () => {
    const env = aws.env();
    const client = clientWith({ accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! });
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: resources.tokenSecret.name }));
    client.destroy();
    expect(SecretString).toBe(REAL_TOKEN);
  });

  it.each([
    ['the well-known local credentials', LOCAL_CREDENTIALS, 'UnrecognizedClientException'],
    ['the right access key with a guessed secret key', undefined, 'InvalidSignatureException'],
  ])('refuses a client signing with %s', async (_what, credentials, code) => {
    const client = clientWith(credentials ?? { accessKeyId: aws.credentials.accessKeyId, secretAccessKey: 'guess' });
    const error = await client.send(new GetSecretValueCommand({ SecretId: resources.tokenSecret.arn })).catch((e: unknown) => e);
    client.destroy();
    expect(error).toMatchObject({ name: code });
    expect(JSON.stringify(error)).not.toContain(REAL_TOKEN);
  });

  it('refuses an unsigned request and a replayed signature over another body', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const url = new URL(aws.endpoints.secretsManager);
        const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const body = JSON.stringify({ SecretId: resources.tokenSecret.arn });
    const unsigned = await post({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' }, body);
    expect(unsigned.status).toBe(403);
    expect(unsigned.text).toContain('MissingAuthenticationTokenException');
    expect(unsigned.text).not.toContain(REAL_TOKEN);

    // Capture a genuine signed request for one secret, then replay its headers for another.
    let captured: Record<string, string> = {};
    const spy = aws.clients().secretsManager;
    spy.middlewareStack.add(
      (next) => async (args) => {
        captured = { ...(args.request as { headers: Record<string, string> }).headers };
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'captureHeaders' },
    );
    await spy.send(new GetSecretValueCommand({ SecretId: resources.watchStateKeySecret.arn }));
    spy.middlewareStack.remove('captureHeaders');
    const replayed = await post({ ...captured, 'content-length': String(Buffer.byteLength(body)) }, body);
    expect(replayed.status).toBe(400);
    expect(replayed.text).toContain('InvalidSignatureException');
    expect(replayed.text).not.toContain(REAL_TOKEN);
  });
});
