import { afterEach, describe, expect, it } from 'vitest';
import {
  jobStatusUrl,
  SIMULATOR_PATHS,
  startAlationSimulator,
  type AlationSimulator,
  type SimulatorOptions,
} from '../../shared/local/simulator';

const STATIC_TOKEN = 'static-access-token';
const REFRESH = { refreshToken: 'refresh-token-for-user-7', userId: 7 };
const START_MS = Date.UTC(2024, 0, 1, 0, 0, 0, 0);

let simulator: AlationSimulator | undefined;
afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
});

function manualClock() {
  let nowMs = START_MS;
  return { now: () => nowMs, advance: (ms: number) => void (nowMs += ms) };
}

async function start(options: SimulatorOptions = {}): Promise<AlationSimulator> {
  simulator = await startAlationSimulator({
    accessTokens: [STATIC_TOKEN],
    refreshTokens: [REFRESH],
    jobs: [{ id: 1 }],
    ...options,
  });
  return simulator;
}

function createTokenRequest(sim: AlationSimulator, body: unknown) {
  return fetch(`${sim.url}${SIMULATOR_PATHS.createAccessToken}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function mint(sim: AlationSimulator): Promise<string> {
  const response = await createTokenRequest(sim, { refresh_token: REFRESH.refreshToken, user_id: REFRESH.userId });
  return ((await response.json()) as { api_access_token: string }).api_access_token;
}

async function pollWith(sim: AlationSimulator, token: string) {
  const response = await fetch(jobStatusUrl(sim.url, { id: 1 }), { headers: { TOKEN: token } });
  return { status: response.status, text: await response.text() };
}

describe('Alation simulator: tokens', () => {
  it('mints an access token from a refresh token and user id with 201', async () => {
    const clock = manualClock();
    const sim = await start({ now: clock.now, accessTokenTtlMs: 60_000 });

    const response = await createTokenRequest(sim, { refresh_token: REFRESH.refreshToken, user_id: 7 });
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(201);
    expect(body).toEqual({
      api_access_token: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user_id: 7,
      created_at: '2024-01-01T00:00:00.000Z',
      token_expires_at: '2024-01-01T00:01:00.000Z',
      token_status: 'ACTIVE',
    });
    expect(body.api_access_token).not.toBe(STATIC_TOKEN);
  });

  it('accepts a minted token on the job-status API', async () => {
    const sim = await start();

    const answer = await pollWith(sim, await mint(sim));

    expect(answer.status).toBe(200);
  });

  it('accepts a numeric string user id, as Django REST framework coerces it', async () => {
    const sim = await start();

    const response = await createTokenRequest(sim, { refresh_token: REFRESH.refreshToken, user_id: '7' });

    expect(response.status).toBe(201);
  });

  it('answers 401 for an unknown refresh token or a user id that does not match', async () => {
    const sim = await start();

    const unknown = await createTokenRequest(sim, { refresh_token: 'nope', user_id: 7 });
    const wrongUser = await createTokenRequest(sim, { refresh_token: REFRESH.refreshToken, user_id: 8 });

    expect([unknown.status, await unknown.json()]).toEqual([401, { detail: 'Authentication failed' }]);
    expect(wrongUser.status).toBe(401);
  });

  it('answers 400 naming the missing field', async () => {
    const sim = await start();

    const response = await createTokenRequest(sim, { refresh_token: REFRESH.refreshToken });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ user_id: ['This field is required or invalid.'] });
  });

  it('answers the "API Access Token provided is invalid." 401 once a minted token expires', async () => {
    const clock = manualClock();
    const sim = await start({ now: clock.now, accessTokenTtlMs: 1000 });
    const token = await mint(sim);

    clock.advance(999);
    const beforeExpiry = await pollWith(sim, token);
    clock.advance(1);
    const afterExpiry = await pollWith(sim, token);

    expect(beforeExpiry.status).toBe(200);
    expect(afterExpiry.status).toBe(401);
    expect(JSON.parse(afterExpiry.text)).toEqual({ detail: 'API Access Token provided is invalid.', code: '401000' });
  });

  it('lets a token minted after expiry work again', async () => {
    const clock = manualClock();
    const sim = await start({ now: clock.now, accessTokenTtlMs: 1000 });
    await mint(sim);

    clock.advance(5000);
    const fresh = await mint(sim);

    expect((await pollWith(sim, fresh)).status).toBe(200);
  });

  it('expires the static token too after accessTokenTtlMs', async () => {
    const clock = manualClock();
    const sim = await start({ now: clock.now, accessTokenTtlMs: 1000 });

    clock.advance(1000);

    expect((await pollWith(sim, STATIC_TOKEN)).status).toBe(401);
  });

  it('stops accepting the old static token after rotateAccessToken()', async () => {
    const sim = await start();

    const fresh = sim.rotateAccessToken();
    const old = await pollWith(sim, STATIC_TOKEN);
    const rotated = await pollWith(sim, fresh);

    expect(old.status).toBe(401);
    expect(JSON.parse(old.text)).toEqual({ detail: 'Authentication failed' });
    expect(rotated.status).toBe(200);
    expect(sim.accessToken).toBe(fresh);
  });

  it('rotates the static token through POST /__admin/rotate-token', async () => {
    const sim = await start();

    const response = await fetch(`${sim.url}${SIMULATOR_PATHS.adminRotateToken}`, { method: 'POST' });
    const { api_access_token: fresh } = (await response.json()) as { api_access_token: string };

    expect(response.status).toBe(200);
    expect(fresh).not.toBe(STATIC_TOKEN);
    expect((await pollWith(sim, STATIC_TOKEN)).status).toBe(401);
    expect((await pollWith(sim, fresh)).status).toBe(200);
  });

  it('keeps minted tokens working across a rotation of the static token', async () => {
    const sim = await start();
    const minted = await mint(sim);

    sim.rotateAccessToken();

    expect((await pollWith(sim, minted)).status).toBe(200);
  });

  it('never echoes a token or refresh token in an error body', async () => {
    const sim = await start({ faults: {} });
    const secretLooking = 'secret-looking-token-value';

    const bodies = [
      (await pollWith(sim, secretLooking)).text,
      await (await createTokenRequest(sim, { refresh_token: secretLooking, user_id: 7 })).text(),
      await (await createTokenRequest(sim, { refresh_token: secretLooking })).text(),
      await (await fetch(`${sim.url}/api/v1/bulk_metadata/job/?id=x`, { headers: { TOKEN: STATIC_TOKEN } })).text(),
    ];

    for (const body of bodies) {
      expect(body).not.toContain(secretLooking);
      expect(body).not.toContain(STATIC_TOKEN);
    }
    expect(JSON.stringify(sim.stats())).not.toContain(secretLooking);
  });
});

function post(sim: AlationSimulator, path: string, body: unknown) {
  return fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

describe('validateRefreshToken and validateAPIAccessToken', () => {
  it('describes an active refresh token with its 60-day default expiry, without echoing it', async () => {
    const clock = manualClock();
    const sim = await start({ now: clock.now });

    const response = await post(sim, SIMULATOR_PATHS.validateRefreshToken, { refresh_token: REFRESH.refreshToken, user_id: REFRESH.userId });

    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      user_id: 7,
      name: 'alation-job-watch',
      created_at: '2024-01-01T00:00:00.000Z',
      token_expires_at: '2024-03-01T00:00:00.000Z',
      token_status: 'ACTIVE',
      last_used_at: null,
    });
    expect(text).not.toContain(REFRESH.refreshToken);
  });

  it('answers EXPIRED once the refresh token has expired, and mints nothing from it', async () => {
    const clock = manualClock();
    const sim = await start({ now: clock.now, refreshTokenTtlMs: 1000 });
    clock.advance(1000);

    const validated = await post(sim, SIMULATOR_PATHS.validateRefreshToken, { refresh_token: REFRESH.refreshToken, user_id: REFRESH.userId });
    const minted = await createTokenRequest(sim, { refresh_token: REFRESH.refreshToken, user_id: REFRESH.userId });

    expect(((await validated.json()) as { token_status: string }).token_status).toBe('EXPIRED');
    expect(minted.status).toBe(401);
  });

  it('answers REVOKED after a revocation, and refuses the access tokens minted from it', async () => {
    const sim = await start();
    const minted = (await (await createTokenRequest(sim, { refresh_token: REFRESH.refreshToken, user_id: REFRESH.userId })).json()) as { api_access_token: string };

    sim.revokeRefreshToken(REFRESH.refreshToken);

    const validated = await post(sim, SIMULATOR_PATHS.validateRefreshToken, { refresh_token: REFRESH.refreshToken, user_id: REFRESH.userId });
    expect(((await validated.json()) as { token_status: string }).token_status).toBe('REVOKED');
    const access = await post(sim, SIMULATOR_PATHS.validateAccessToken, { api_access_token: minted.api_access_token, user_id: REFRESH.userId });
    expect(((await access.json()) as { token_status: string }).token_status).toBe('REVOKED');
    expect((await fetch(jobStatusUrl(sim.url, { id: 1 }), { headers: { TOKEN: minted.api_access_token } })).status).toBe(401);
  });

  it('answers 401 for a refresh token with the wrong user, and 400 naming a missing field', async () => {
    const sim = await start();

    const wrongUser = await post(sim, SIMULATOR_PATHS.validateRefreshToken, { refresh_token: REFRESH.refreshToken, user_id: 8 });
    const missing = await post(sim, SIMULATOR_PATHS.validateAccessToken, { user_id: 7 });

    expect(wrongUser.status).toBe(401);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ api_access_token: ['This field is required or invalid.'] });
  });
});
