import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import {
  createWatchStateKeys,
  MIN_WATCH_STATE_KEY_LENGTH,
  secretsManagerKeyReader,
  type KeySecretReader,
  type KeyVersionStage,
} from '../../shared/aws/watch-state-keys';
import { WatchStateKeyError } from '../../shared/errors';
import { provisionJobWatch, startLocalAws, type JobWatchResources, type LocalAws } from '../../shared/local/aws';

const KEY_1 = 'k1-'.padEnd(40, 'x');
const KEY_2 = 'k2-'.padEnd(40, 'y');

function fakeReader(values: Partial<Record<KeyVersionStage, string | null | Error>>) {
  const reads: KeyVersionStage[] = [];
  const reader: KeySecretReader = {
    async read(_id, stage) {
      reads.push(stage);
      const value = values[stage] ?? null;
      if (value instanceof Error) throw value;
      return value;
    },
  };
  return { reader, reads, values };
}

describe('watch-state keys', () => {
  it('reads the current key once and caches it, sharing one read between concurrent callers', async () => {
    const { reader, reads } = fakeReader({ AWSCURRENT: KEY_1 });
    const keys = createWatchStateKeys({ secretId: 'k', reader });
    const [a, b] = await Promise.all([keys.current(), keys.current()]);
    await keys.current();
    expect(Buffer.from(a).toString()).toBe(KEY_1);
    expect(b).toBe(a);
    expect(reads).toEqual(['AWSCURRENT']);
  });

  it('reads the key again once its cache age has passed', async () => {
    let clock = 0;
    const { reader, reads } = fakeReader({ AWSCURRENT: KEY_1 });
    const keys = createWatchStateKeys({ secretId: 'k', reader, maxAgeSeconds: 10, now: () => clock });
    await keys.current();
    clock = 11_000;
    await keys.current();
    expect(reads).toEqual(['AWSCURRENT', 'AWSCURRENT']);
  });

  it('turns a failed read into a retryable WatchStateKeyError that names the secret but no value, and does not cache it', async () => {
    const { reader, reads, values } = fakeReader({ AWSCURRENT: Object.assign(new Error(`boom ${KEY_1}`), { name: 'ThrottlingException' }) });
    const keys = createWatchStateKeys({ secretId: 'key-secret', reader });
    const error = await keys.current().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WatchStateKeyError);
    expect(error).toMatchObject({ retryable: true, message: 'could not read watch-state key secret key-secret (AWSCURRENT: ThrottlingException)' });
    values.AWSCURRENT = KEY_1;
    await expect(keys.current()).resolves.toBeDefined();
    expect(reads).toEqual(['AWSCURRENT', 'AWSCURRENT']);
  });

  it('keeps serving the key it read before when reading it again fails, and tries again a minute later', async () => {
    let clock = 0;
    const { reader, reads, values } = fakeReader({ AWSCURRENT: KEY_1 });
    const keys = createWatchStateKeys({ secretId: 'k', reader, maxAgeSeconds: 10, minReloadSeconds: 60, now: () => clock });
    await keys.current();
    values.AWSCURRENT = new Error('Secrets Manager is down');
    clock = 11_000;
    expect(Buffer.from(await keys.current()).toString()).toBe(KEY_1);
    clock = 30_000;
    await keys.current(); // within the minute: no new read
    values.AWSCURRENT = KEY_2;
    clock = 72_000;
    expect(Buffer.from(await keys.current()).toString()).toBe(KEY_2);
    expect(reads).toEqual(['AWSCURRENT', 'AWSCURRENT', 'AWSCURRENT']);
  });

  it(`refuses a key shorter than ${MIN_WATCH_STATE_KEY_LENGTH} characters`, async () => {
    const keys = createWatchStateKeys({ secretId: 'k', reader: fakeReader({ AWSCURRENT: 'short' }).reader });
    await expect(keys.current()).rejects.toThrow(/shorter than 32 characters/);
  });

  it('caches "no previous key" too, so forged bodies cost no extra reads', async () => {
    const { reader, reads } = fakeReader({ AWSCURRENT: KEY_1, AWSPREVIOUS: null });
    const keys = createWatchStateKeys({ secretId: 'k', reader });
    expect(await keys.previous()).toBeNull();
    expect(await keys.previous()).toBeNull();
    expect(reads).toEqual(['AWSPREVIOUS']);
  });

  it('allows a reload at most once per minReloadSeconds', () => {
    let clock = 0;
    const keys = createWatchStateKeys({ secretId: 'k', reader: fakeReader({}).reader, minReloadSeconds: 60, now: () => clock });
    expect(keys.reload()).toBe(true);
    void keys.previous(); // a read, at t = 0
    clock = 30_000;
    expect(keys.reload()).toBe(false);
    clock = 61_000;
    expect(keys.reload()).toBe(true);
  });
});

describe('watch-state keys on the local Secrets Manager', () => {
  let aws: LocalAws;
  let resources: JobWatchResources;

  beforeAll(async () => {
    aws = await startLocalAws();
    resources = await provisionJobWatch(aws, { prefix: 'keys', tokenSecretValue: 'unused', watchStateKey: KEY_1 });
  });
  afterAll(async () => aws?.stop());

  it('reads the provisioned key, has no previous one, and after a rotation holds both', async () => {
    const { secretsManager } = aws.clients();
    const reader = secretsManagerKeyReader(secretsManager);
    const secretId = resources.watchStateKeySecret.arn;
    expect(await reader.read(secretId, 'AWSCURRENT')).toBe(KEY_1);
    expect(await reader.read(secretId, 'AWSPREVIOUS')).toBeNull();

    await secretsManager.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: KEY_2 }));
    const keys = createWatchStateKeys({ secretId, reader });
    expect(Buffer.from(await keys.current()).toString()).toBe(KEY_2);
    expect(Buffer.from((await keys.previous())!).toString()).toBe(KEY_1);
  });

  it('fails (it does not say "no key") when the current key secret does not exist', async () => {
    const keys = createWatchStateKeys({ secretId: 'no-such-secret', reader: secretsManagerKeyReader(aws.clients().secretsManager) });
    await expect(keys.current()).rejects.toThrow('could not read watch-state key secret no-such-secret (AWSCURRENT: ResourceNotFoundException)');
  });
});
