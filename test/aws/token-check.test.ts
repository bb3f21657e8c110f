/**
 * The daily token check against the Alation simulator (validateRefreshToken with expiry and
 * revocation) and the local Secrets Manager, through the real SDK client.
 */
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TOKEN_WARN_DAYS } from '../../shared/alation/token-lifetime';
import { checkToken, loadTokenCheckConfig, type TokenCheckDeps } from '../../shared/aws/token-check';
import { LOCAL_CREDENTIALS, startSecretsManagerServer, type SecretsManagerServer } from '../../shared/local/aws';
import { startAlationSimulator, type AlationSimulator } from '../../shared/local/simulator';

const DAY_MS = 86_400_000;
const REFRESH = 'token-check-refresh-token';
const USER_ID = 42;
const SECRET = 'token-check/alation-token';
let sim: AlationSimulator;
let secretsServer: SecretsManagerServer;
let secrets: SecretsManagerClient;

beforeAll(async () => {
  sim = await startAlationSimulator({ refreshTokens: [{ refreshToken: REFRESH, userId: USER_ID }] });
  secretsServer = await startSecretsManagerServer();
  secrets = new SecretsManagerClient({ endpoint: secretsServer.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  await secrets.send(new CreateSecretCommand({ Name: SECRET, SecretString: JSON.stringify({ refreshToken: REFRESH, userId: USER_ID }) }));
});
afterAll(async () => {
  secrets?.destroy();
  await secretsServer?.stop();
  await sim?.stop();
});

const putSecret = (value: string) => secrets.send(new PutSecretValueCommand({ SecretId: SECRET, SecretString: value }));

function recorder(): TokenCheckDeps & { emitted: Record<string, number>; lines: string[] } {
  const emitted: Record<string, number> = {};
  const lines: string[] = [];
  return {
    emitted,
    lines,
    readSecret: async (id) => (await secrets.send(new GetSecretValueCommand({ SecretId: id }))).SecretString,
    metrics: { valid: (v) => (emitted.TokenValid = v), daysToExpiry: (d) => (emitted.TokenDaysToExpiry = d) },
    log: { info: (m, extra) => lines.push(`${m} ${JSON.stringify(extra)}`), warn: (m, extra) => lines.push(`WARN ${m} ${JSON.stringify(extra)}`) },
    now: () => new Date(),
  };
}

const config = () => loadTokenCheckConfig({ ALATION_BASE_URL: sim.url, ALATION_TOKEN_SECRET_ID: SECRET });

describe('the deployed handler', () => {
  it('emits TokenValid 1 and TokenDaysToExpiry 5 (under the 14-day alarm threshold) for a token that expires in 5 days, without logging it', async () => {
    sim.setRefreshTokenExpiry(REFRESH, Date.now() + 5 * DAY_MS + 60_000);
    vi.stubEnv('ALATION_BASE_URL', sim.url);
    vi.stubEnv('ALATION_TOKEN_SECRET_ID', SECRET);
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', secretsServer.endpoint);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const written: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    };
    // Powertools writes metrics and info to stdout, warnings to stderr.
    const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
    try {
      const { handler } = await import('../../functions/token-check/handler');

      const result = await handler();

      expect(result).toEqual({ valid: true, daysToExpiry: 5 });
    } finally {
      for (const spy of spies) spy.mockRestore();
      vi.unstubAllEnvs();
    }
    const emf = written.flatMap((chunk) => chunk.split('\n')).filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ TokenValid: 1, TokenDaysToExpiry: 5, service: 'alation-job-watch' });
    expect(emf[0]!.TokenDaysToExpiry as number).toBeLessThan(DEFAULT_TOKEN_WARN_DAYS);
    expect(written.join('')).toContain('"level":"WARN"');
    expect(written.join('')).not.toContain(REFRESH);
  });
});

describe('checkToken', () => {
  it('reports a fresh refresh token as valid with its days left and no attention needed', async () => {
    sim.setRefreshTokenExpiry(REFRESH, Date.now() + 60 * DAY_MS - 60_000);
    const deps = recorder();

    const result = await checkToken(config(), deps);

    expect(result).toMatchObject({ secretForm: 'refresh', valid: true, daysToExpiry: 59, needsAttention: false });
    expect(deps.emitted).toEqual({ TokenValid: 1, TokenDaysToExpiry: 59 });
  });

  it('emits TokenValid 0 for an expired refresh token', async () => {
    sim.setRefreshTokenExpiry(REFRESH, Date.now() - 1000);
    const deps = recorder();

    const result = await checkToken(config(), deps);

    expect(result).toMatchObject({ valid: false, daysToExpiry: 0, needsAttention: true, summary: expect.stringContaining('EXPIRED') });
    expect(deps.emitted).toEqual({ TokenValid: 0, TokenDaysToExpiry: 0 });
    sim.setRefreshTokenExpiry(REFRESH, Date.now() + 30 * DAY_MS);
  });

  it('emits TokenValid 0 for a secret whose refresh token Alation does not know, naming no token', async () => {
    await putSecret(JSON.stringify({ refreshToken: 'not-a-token-alation-knows', userId: USER_ID }));
    const deps = recorder();

    const result = await checkToken(config(), deps);

    expect(result).toMatchObject({ valid: false, needsAttention: true });
    expect(deps.emitted.TokenValid).toBe(0);
    expect(deps.lines.join('\n')).not.toContain('not-a-token-alation-knows');
  });

  it('emits TokenValid 0 for a secret that is not a token', async () => {
    await putSecret('{"refreshToken": ');
    const deps = recorder();

    const result = await checkToken(config(), deps);

    expect(result).toMatchObject({ secretForm: 'unreadable', valid: false, summary: expect.stringContaining('does not parse') });
    expect(deps.emitted).toEqual({ TokenValid: 0 });
  });

  it('checks a bare access token by the job-status probe and emits no expiry', async () => {
    await putSecret(sim.accessToken);
    const deps = recorder();

    const result = await checkToken(config(), deps);

    expect(result).toMatchObject({ secretForm: 'access', valid: true, daysToExpiry: null });
    expect(deps.emitted).toEqual({ TokenValid: 1 });
  });

  it('throws, emitting nothing, when Alation cannot be reached', async () => {
    await putSecret(JSON.stringify({ refreshToken: REFRESH, userId: USER_ID }));
    const deps = recorder();

    await expect(checkToken(loadTokenCheckConfig({ ALATION_BASE_URL: 'http://127.0.0.1:9', ALATION_TOKEN_SECRET_ID: SECRET, ALATION_TIMEOUT_MS: '2000' }), deps)).rejects.toThrow(/could not reach Alation/);
    expect(deps.emitted).toEqual({});
  });
});
