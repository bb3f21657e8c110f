import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DEFAULT_PROVIDERS } from '@aws-lambda-powertools/parameters/base';
import { getSecret, SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSecretsManagerServer, type SecretsManagerServer } from '../../shared/local/aws/secrets-manager-server';

let server: SecretsManagerServer;
let client: SecretsManagerClient;
let counter = 0;
/** A fresh secret name per test, so tests do not depend on each other's secrets. */
const secretName = (): string => `alation/token-${++counter}`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  server = await startSecretsManagerServer();
  client = new SecretsManagerClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  client.destroy();
  await server.stop();
});

describe('the local Secrets Manager, through the AWS SDK', () => {
  it('listens on loopback only', () => {
    expect(new URL(server.endpoint).hostname).toBe('127.0.0.1');
  });

  it('returns a created secret by name and by ARN, as the current version', async () => {
    const name = secretName();
    const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: 'token-1' }));

    const byName = await client.send(new GetSecretValueCommand({ SecretId: name }));
    const byArn = await client.send(new GetSecretValueCommand({ SecretId: created.ARN }));

    expect(created.ARN).toMatch(new RegExp(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-.{6}$`));
    expect(byName).toMatchObject({
      ARN: created.ARN,
      Name: name,
      SecretString: 'token-1',
      VersionId: created.VersionId,
      VersionStages: ['AWSCURRENT'],
    });
    expect(byName.CreatedDate).toBeInstanceOf(Date);
    expect(Math.abs(byName.CreatedDate!.getTime() - Date.now())).toBeLessThan(5_000);
    expect(byArn.SecretString).toBe('token-1');
  });

  it('keeps a JSON secret as the exact string it was given', async () => {
    const name = secretName();
    const value = JSON.stringify({ token: 'abc', baseUrl: 'https://alation.example' });
    await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));

    const read = await client.send(new GetSecretValueCommand({ SecretId: name }));

    expect(read.SecretString).toBe(value);
  });

  it('round-trips a binary secret', async () => {
    const name = secretName();
    await client.send(new CreateSecretCommand({ Name: name, SecretBinary: new Uint8Array([0, 1, 254, 255]) }));

    const read = await client.send(new GetSecretValueCommand({ SecretId: name }));

    expect(read.SecretString).toBeUndefined();
    expect([...(read.SecretBinary ?? [])]).toEqual([0, 1, 254, 255]);
  });

  it('rotates on PutSecretValue: the new value is AWSCURRENT and the old one AWSPREVIOUS', async () => {
    const name = secretName();
    const first = await client.send(new CreateSecretCommand({ Name: name, SecretString: 'old' }));

    const put = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'new' }));
    const current = await client.send(new GetSecretValueCommand({ SecretId: name }));
    const previous = await client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }));
    const byVersion = await client.send(new GetSecretValueCommand({ SecretId: name, VersionId: first.VersionId }));
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));

    expect(put.VersionStages).toEqual(['AWSCURRENT']);
    expect(put.VersionId).not.toBe(first.VersionId);
    expect(current).toMatchObject({ SecretString: 'new', VersionId: put.VersionId, VersionStages: ['AWSCURRENT'] });
    expect(previous).toMatchObject({ SecretString: 'old', VersionId: first.VersionId, VersionStages: ['AWSPREVIOUS'] });
    expect(byVersion.SecretString).toBe('old');
    expect(described).toMatchObject({
      Name: name,
      ARN: first.ARN,
      VersionIdsToStages: { [first.VersionId!]: ['AWSPREVIOUS'], [put.VersionId!]: ['AWSCURRENT'] },
    });
  });

  it('drops the AWSPREVIOUS label from the version two rotations back', async () => {
    const name = secretName();
    const v1 = await client.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }));
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v3' }));

    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
    const previous = await client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }));

    expect(Object.keys(described.VersionIdsToStages ?? {})).not.toContain(v1.VersionId);
    expect(previous.SecretString).toBe('v2');
  });

  it('answers an unknown secret with ResourceNotFoundException and the AWS message', async () => {
    const error = await client.send(new GetSecretValueCommand({ SecretId: 'no/such/secret' })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as ResourceNotFoundException).message).toBe("Secrets Manager can't find the specified secret.");
    expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(400);
  });

  it('refuses to create a secret whose name exists', async () => {
    const name = secretName();
    await client.send(new CreateSecretCommand({ Name: name, SecretString: 'a' }));

    const error = await client.send(new CreateSecretCommand({ Name: name, SecretString: 'b' })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ResourceExistsException);
  });
});

describe('the local Secrets Manager on the wire', () => {
  it('sends the JSON 1.1 error shape AWS sends for an unknown secret', async () => {
    const response = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
      body: JSON.stringify({ SecretId: 'missing' }),
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await response.json()).toEqual({
      __type: 'ResourceNotFoundException',
      Message: "Secrets Manager can't find the specified secret.",
    });
  });

  it('rejects an operation it does not implement', async () => {
    const response = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.DeleteSecret' },
      body: '{}',
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});

describe('the access log', () => {
  it('records operations and secret ids but never a secret value', async () => {
    const name = secretName();
    server.clearAccessLog();
    const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: 'do-not-log-me' }));
    await client.send(new GetSecretValueCommand({ SecretId: created.ARN }));
    await client.send(new GetSecretValueCommand({ SecretId: name }));
    await client.send(new GetSecretValueCommand({ SecretId: 'missing' })).catch(() => undefined);

    const log = server.accessLog();

    expect(log.map(({ operation, secretId, outcome }) => ({ operation, secretId, outcome }))).toEqual([
      { operation: 'CreateSecret', secretId: name, outcome: 'ok' },
      { operation: 'GetSecretValue', secretId: created.ARN, outcome: 'ok' },
      { operation: 'GetSecretValue', secretId: name, outcome: 'ok' },
      { operation: 'GetSecretValue', secretId: 'missing', outcome: 'ResourceNotFoundException' },
    ]);
    expect(server.countCalls({ operation: 'GetSecretValue', secretId: name })).toBe(2);
    expect(server.countCalls({ operation: 'GetSecretValue', secretId: created.ARN! })).toBe(2);
    expect(JSON.stringify(log)).not.toContain('do-not-log-me');
  });
});

describe('Powertools parameters against the local Secrets Manager', () => {
  afterEach(() => {
    delete DEFAULT_PROVIDERS['secrets'];
  });

  it('serves a SecretsProvider from its cache until maxAge passes', async () => {
    const name = secretName();
    await client.send(new CreateSecretCommand({ Name: name, SecretString: 'cached' }));
    const provider = new SecretsProvider({ awsSdkV3Client: client });
    const fetches = (): number => server.countCalls({ operation: 'GetSecretValue', secretId: name });

    const first = await provider.get(name, { maxAge: 1 });
    const second = await provider.get(name, { maxAge: 1 });
    const fetchesWhileFresh = fetches();
    await sleep(1_100);
    await provider.get(name, { maxAge: 1 });

    expect([first, second]).toEqual(['cached', 'cached']);
    expect(fetchesWhileFresh).toBe(1);
    expect(fetches()).toBe(2);
  });

  it('refetches on forceFetch and so sees a rotated token at once', async () => {
    const name = secretName();
    await client.send(new CreateSecretCommand({ Name: name, SecretString: 'before-rotation' }));
    const provider = new SecretsProvider({ awsSdkV3Client: client });
    await provider.get(name, { maxAge: 300 });
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'after-rotation' }));

    const stale = await provider.get(name, { maxAge: 300 });
    const forced = await provider.get(name, { maxAge: 300, forceFetch: true });

    expect(stale).toBe('before-rotation');
    expect(forced).toBe('after-rotation');
    expect(server.countCalls({ operation: 'GetSecretValue', secretId: name })).toBe(2);
  });

  it('lets getSecret use an injected client and parse a JSON secret', async () => {
    const name = secretName();
    await client.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ token: 't-1' }) }));
    DEFAULT_PROVIDERS['secrets'] = new SecretsProvider({ awsSdkV3Client: client });

    const first = await getSecret(name, { transform: 'json' });
    const second = await getSecret(name, { transform: 'json' });

    expect(first).toEqual({ token: 't-1' });
    expect(second).toEqual({ token: 't-1' });
    // Default maxAge is 5 s: the second call is served from the cache.
    expect(server.countCalls({ operation: 'GetSecretValue', secretId: name })).toBe(1);
  });
});
