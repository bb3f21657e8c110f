import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  jobStatusUrl,
  SIMULATOR_PATHS,
  startAlationSimulator,
  type AlationSimulator,
  type FaultOptions,
  type JobDefinition,
} from '../../shared/local/simulator';

const TOKEN = 'test-access-token';
const RUNNING_JSON = '{"status":"running","msg":"","result":null}';

let simulator: AlationSimulator | undefined;
afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
});

async function withFaults(faults: FaultOptions, jobs: JobDefinition[] = [{ id: 1, durationMs: 60_000 }]) {
  simulator = await startAlationSimulator({ accessTokens: [TOKEN], faults, jobs, seed: 7 });
  return simulator;
}

function poll(sim: AlationSimulator, init: RequestInit = {}) {
  return fetch(jobStatusUrl(sim.url, { id: 1 }), { headers: { TOKEN }, ...init });
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function canListenOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1' }, () => probe.close(() => resolve(true)));
  });
}

describe('Alation simulator: faults', () => {
  it('answers 500 with a JSON detail body', async () => {
    const sim = await withFaults({ serverErrorRate: 1, serverErrorStatuses: [500] });

    const response = await poll(sim);

    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ detail: 'A server error occurred.' });
  });

  it.each([
    [502, 'Bad Gateway'],
    [503, 'Service Unavailable'],
  ] as const)('answers %i with a plain-text body', async (status, text) => {
    const sim = await withFaults({ serverErrorRate: 1, serverErrorStatuses: [status] });

    const response = await poll(sim);

    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe(text);
  });

  it('picks among 500, 502 and 503 by default', async () => {
    const sim = await withFaults({ serverErrorRate: 1 });

    const statuses = new Set<number>();
    for (let request = 0; request < 30; request += 1) {
      const response = await poll(sim);
      await response.text();
      statuses.add(response.status);
    }

    expect([...statuses].sort()).toEqual([500, 502, 503]);
  });

  it('answers 429 with Retry-After and Django REST framework\'s throttling message', async () => {
    const sim = await withFaults({ rateLimitRate: 1, retryAfterSeconds: 7 });

    const response = await poll(sim);

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toEqual({ detail: 'Request was throttled. Expected available in 7 seconds.' });
  });

  it('answers a 502 HTML error page with Content-Type text/html by default', async () => {
    const sim = await withFaults({ htmlRate: 1 });

    const response = await poll(sim);
    const text = await response.text();

    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(text).toContain('<title>502 Bad Gateway</title>');
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('answers a 200 HTML page when htmlStatus is 200', async () => {
    const sim = await withFaults({ htmlRate: 1, htmlStatus: 200 });

    const response = await poll(sim);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(text).toMatch(/^<!DOCTYPE html>/);
  });

  it('answers 200 with the genuine JSON body cut in half', async () => {
    const sim = await withFaults({ malformedJsonRate: 1 });

    const response = await poll(sim);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(text).toBe(RUNNING_JSON.slice(0, Math.floor(RUNNING_JSON.length / 2)));
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('holds a timed-out request open until the client gives up', async () => {
    const sim = await withFaults({ timeoutRate: 1 });

    const started = Date.now();
    const outcome = await poll(sim, { signal: AbortSignal.timeout(150) }).then(
      () => 'answered',
      (error: Error) => error.name,
    );

    expect(outcome).toBe('TimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(sim.stats().faults.timeout).toBe(1);
    expect(sim.stats().requests.byStatus).toEqual({});
  });

  it('delays every answer by a fixed latency', async () => {
    const sim = await withFaults({ latencyMs: 120 });

    const started = Date.now();
    const response = await poll(sim);
    const elapsed = Date.now() - started;

    expect(response.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(115);
    expect(sim.stats().faults.latency).toBe(1);
  });

  it('draws latency from a [min, max] range', async () => {
    const sim = await withFaults({ latencyMs: [60, 90] });

    const elapsed: number[] = [];
    for (let request = 0; request < 3; request += 1) {
      const started = Date.now();
      await (await poll(sim)).text();
      elapsed.push(Date.now() - started);
    }

    for (const ms of elapsed) expect(ms).toBeGreaterThanOrEqual(55);
    expect(sim.stats().faults.latency).toBe(3);
  });

  it('does not count faulted requests as polls of the job', async () => {
    const sim = await withFaults({ serverErrorRate: 0.5, serverErrorStatuses: [503] }, [{ id: 1, pollsBeforeDone: 2 }]);

    const genuine: string[] = [];
    let faulted = 0;
    while (genuine.length < 3) {
      const response = await poll(sim);
      if (response.status === 200) genuine.push(((await response.json()) as { status: string }).status);
      else {
        faulted += 1;
        await response.text();
      }
    }

    expect(genuine).toEqual(['running', 'running', 'successful']);
    expect(faulted).toBeGreaterThan(0);
    expect(sim.stats().faults.serverError).toBe(faulted);
    expect(sim.stats().jobs[0]?.polls).toBe(3);
  });

  it('does not advance a job when it builds a malformed body', async () => {
    const sim = await withFaults({ malformedJsonRate: 1 }, [{ id: 1, pollsBeforeDone: 1 }]);

    const first = await (await poll(sim)).text();
    const second = await (await poll(sim)).text();

    expect(second).toBe(first);
    expect(sim.stats().jobs[0]?.polls).toBe(0);
  });

  it('replays the same fault schedule for the same seed', async () => {
    const schedule = async () => {
      const sim = await startAlationSimulator({
        accessTokens: [TOKEN],
        jobs: [{ id: 1 }],
        seed: 42,
        faults: { serverErrorRate: 0.3, rateLimitRate: 0.3 },
      });
      const statuses: number[] = [];
      for (let request = 0; request < 20; request += 1) {
        const response = await poll(sim);
        await response.text();
        statuses.push(response.status);
      }
      await sim.stop();
      return statuses;
    };

    const first = await schedule();
    const second = await schedule();

    expect(second).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(1);
  });

  it('applies faults to job-status requests only', async () => {
    simulator = await startAlationSimulator({
      accessTokens: [TOKEN],
      refreshTokens: [{ refreshToken: 'r', userId: 1 }],
      faults: { serverErrorRate: 1, timeoutRate: 1 },
    });

    const minted = await fetch(`${simulator.url}${SIMULATOR_PATHS.createAccessToken}`, {
      method: 'POST',
      body: JSON.stringify({ refresh_token: 'r', user_id: 1 }),
    });
    const stats = await fetch(`${simulator.url}${SIMULATOR_PATHS.adminStats}`);

    expect(minted.status).toBe(201);
    expect(stats.status).toBe(200);
  });

  it('frees its port on stop() even while a timed-out request is held open', async () => {
    const sim = await withFaults({ timeoutRate: 1 });
    const port = Number(new URL(sim.url).port);
    const held = poll(sim).then(
      () => 'answered',
      () => 'connection closed',
    );
    await until(() => sim.stats().faults.timeout === 1);

    await sim.stop();

    expect(await held).toBe('connection closed');
    expect(await canListenOn(port)).toBe(true);
  });

  it('stops promptly while a request waits out its latency', async () => {
    const sim = await withFaults({ latencyMs: 10_000 });
    const pending = poll(sim).then(
      () => 'answered',
      () => 'connection closed',
    );
    await until(() => sim.stats().faults.latency === 1);

    const started = Date.now();
    await sim.stop();

    expect(await pending).toBe('connection closed');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('can be stopped twice', async () => {
    const sim = await withFaults({});

    await sim.stop();

    await expect(sim.stop()).resolves.toBeUndefined();
  });
});
