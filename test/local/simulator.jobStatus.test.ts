import { afterEach, describe, expect, it } from 'vitest';
import {
  jobStatusUrl,
  startAlationSimulator,
  type AlationSimulator,
  type JobLookup,
  type SimulatorOptions,
} from '../../shared/local/simulator';

const TOKEN = 'test-access-token';
const START_MS = Date.UTC(2017, 0, 12, 23, 52, 33, 307);

const running = () => ({ status: 'running', msg: '', result: null });

let simulator: AlationSimulator | undefined;
afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
});

function manualClock(startMs = START_MS) {
  let nowMs = startMs;
  return { now: () => nowMs, advance: (ms: number) => void (nowMs += ms) };
}

async function start(options: SimulatorOptions = {}): Promise<AlationSimulator> {
  simulator = await startAlationSimulator({ accessTokens: [TOKEN], ...options });
  return simulator;
}

async function getStatus(sim: AlationSimulator, lookup: JobLookup, headers: Record<string, string> = { TOKEN }) {
  const response = await fetch(jobStatusUrl(sim.url, lookup), { headers });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('Alation simulator: job status', () => {
  it('listens on loopback with an ephemeral port by default', async () => {
    const sim = await start();

    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(sim.url).port)).toBeGreaterThan(0);
  });

  it('answers 401 "credentials were not provided" when the TOKEN header is missing', async () => {
    const sim = await start({ jobs: [{ id: 1 }] });

    const answer = await getStatus(sim, { id: 1 }, {});

    expect(answer).toEqual({
      status: 401,
      contentType: 'application/json',
      body: { detail: 'Authentication credentials were not provided.' },
    });
  });

  it('answers 401 "Authentication failed" for an unknown token', async () => {
    const sim = await start({ jobs: [{ id: 1 }] });

    const answer = await getStatus(sim, { id: 1 }, { TOKEN: 'not-a-known-token' });

    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ detail: 'Authentication failed' });
  });

  it('answers 400 when neither id nor name is given', async () => {
    const sim = await start();

    const response = await fetch(`${sim.url}/api/v1/bulk_metadata/job/`, { headers: { TOKEN } });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: 'Either an id or a name query parameter is required.' });
  });

  it('answers 400 for an id that is not an integer', async () => {
    const sim = await start({ jobs: [{ id: 1 }] });

    const answer = await getStatus(sim, { id: '1.5' });

    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ detail: 'The id query parameter must be an integer.' });
  });

  it('answers 404 "Job not found." for an unknown id or name', async () => {
    const sim = await start({ jobs: [{ id: 1, name: 'known#1' }] });

    const byId = await getStatus(sim, { id: 2 });
    const byName = await getStatus(sim, { name: 'unknown#1' });

    expect([byId.status, byId.body]).toEqual([404, { detail: 'Job not found.' }]);
    expect([byName.status, byName.body]).toEqual([404, { detail: 'Job not found.' }]);
  });

  it('finds a job by integer id', async () => {
    const clock = manualClock();
    const sim = await start({ now: clock.now, jobs: [{ id: 7, durationMs: 0, preset: 'qli' }] });

    const answer = await getStatus(sim, { id: 7 });

    expect(answer.status).toBe(200);
    expect(answer.body.result).toBe(
      'Bulk Query Ingestion Succeeded: 0 new events ingested, 1 previously-ingested events skipped.',
    );
  });

  it('finds a job by a name whose # was sent percent-encoded as %23', async () => {
    const name = 'MetadataExtraction#1_2017-10-05-19-36-45-431906-00-00-4ea1dc02-1c9f-41db-be6f-3f7cb1849da3';
    const sim = await start({ now: manualClock().now, jobs: [{ name, preset: 'countsWithErrors' }] });

    const answer = await getStatus(sim, { name });

    expect(sim.requests.at(-1)?.path).toContain('?name=MetadataExtraction%231_2017');
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('successful');
  });

  it('does not find a name that was percent-encoded twice', async () => {
    const sim = await start({ jobs: [{ name: 'MetadataExtraction#1' }] });

    const answer = await getStatus(sim, { name: 'MetadataExtraction%231' });

    expect(answer.status).toBe(404);
  });

  it('reports running until the duration has passed, then the final body', async () => {
    const clock = manualClock();
    const sim = await start({ now: clock.now, jobs: [{ id: 1, durationMs: 1000, preset: 'counts' }] });

    const before = await getStatus(sim, { id: 1 });
    clock.advance(999);
    const justBefore = await getStatus(sim, { id: 1 });
    clock.advance(1);
    const after = await getStatus(sim, { id: 1 });

    expect(before.body).toEqual(running());
    expect(justBefore.body).toEqual(running());
    expect(after.body).toEqual({
      status: 'successful',
      msg: 'Job finished in 1.0 seconds at 2017-01-12 23:52:34.307000+00:00',
      result: '{"updated_objects": 2, "number_received": 2, "error_objects": [], "error": ""}',
    });
  });

  it('finishes a short job on the real clock', async () => {
    const sim = await start();
    // Warm the client's connection first: its first request can take longer than the job.
    await (await fetch(`${sim.url}/__admin/stats`)).text();
    sim.addJob({ id: 1, durationMs: 300 });

    const first = await getStatus(sim, { id: 1 });
    await new Promise((resolve) => setTimeout(resolve, 350));
    const second = await getStatus(sim, { id: 1 });

    expect(first.body.status).toBe('running');
    expect(second.body.status).toBe('successful');
    expect(second.body.msg).toMatch(/^Job finished in 0\.3 seconds at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00$/);
  });

  it('keeps a job running for pollsBeforeDone genuine polls', async () => {
    const clock = manualClock();
    const sim = await start({ now: clock.now, jobs: [{ id: 1, pollsBeforeDone: 2 }] });

    const statuses = [];
    for (let poll = 0; poll < 3; poll += 1) {
      statuses.push((await getStatus(sim, { id: 1 })).body.status);
      clock.advance(500);
    }

    expect(statuses).toEqual(['running', 'running', 'successful']);
    expect(sim.stats().jobs).toEqual([{ id: 1, polls: 3, finished: true }]);
  });

  it('repeats the same finish message on every later poll', async () => {
    const clock = manualClock();
    const sim = await start({ now: clock.now, jobs: [{ id: 1, durationMs: 2000 }] });

    clock.advance(5000);
    const first = await getStatus(sim, { id: 1 });
    clock.advance(60_000);
    const later = await getStatus(sim, { id: 1 });

    expect(later.body.msg).toBe(first.body.msg);
    expect(first.body.msg).toBe('Job finished in 2.0 seconds at 2017-01-12 23:52:35.307000+00:00');
  });

  it('serves an explicit body, computing msg when it is omitted', async () => {
    const clock = manualClock();
    const sim = await start({
      now: clock.now,
      jobs: [
        { id: 1, durationMs: 585, body: { status: 'weird_new_status', result: { anything: [1, 2] } } },
        { id: 2, body: { status: 'failed', msg: 'custom message', result: 'boom' } },
      ],
    });
    clock.advance(585);

    const computed = await getStatus(sim, { id: 1 });
    const given = await getStatus(sim, { id: 2 });

    expect(computed.body).toEqual({
      status: 'weird_new_status',
      msg: 'Job finished in 0.585 seconds at 2017-01-12 23:52:33.892000+00:00',
      result: { anything: [1, 2] },
    });
    expect(given.body).toEqual({ status: 'failed', msg: 'custom message', result: 'boom' });
  });

  it('records each request with its method, raw path and headers', async () => {
    const sim = await start({ jobs: [{ id: 3 }] });

    await getStatus(sim, { id: 3 });

    expect(sim.requests).toHaveLength(1);
    expect(sim.requests[0]).toMatchObject({ method: 'GET', path: '/api/v1/bulk_metadata/job/?id=3', body: '' });
    expect(sim.requests[0]?.headers.token).toBe(TOKEN);
  });

  it('answers 405 to a POST on the job-status path', async () => {
    const sim = await start();

    const response = await fetch(`${sim.url}/api/v1/bulk_metadata/job/?id=1`, { method: 'POST', headers: { TOKEN } });

    expect(response.status).toBe(405);
    expect(await response.json()).toEqual({ detail: 'Method "POST" not allowed.' });
  });

  it('answers 404 "Not found." for the job path without its trailing slash', async () => {
    const sim = await start({ jobs: [{ id: 1 }] });

    const response = await fetch(`${sim.url}/api/v1/bulk_metadata/job?id=1`, { headers: { TOKEN } });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'Not found.' });
  });
});
