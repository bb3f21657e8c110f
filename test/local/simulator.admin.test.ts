import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidJobDefinitionError,
  InvalidSimulatorOptionsError,
  jobStatusUrl,
  loadScenario,
  ScenarioFileError,
  SIMULATOR_PATHS,
  startAlationSimulator,
  type AlationSimulator,
  type JobDefinition,
} from '../../shared/local/simulator';

const TOKEN = 'test-access-token';

let simulator: AlationSimulator | undefined;
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'alation-simulator-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});
afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
});

async function start(jobs: JobDefinition[] = []): Promise<AlationSimulator> {
  simulator = await startAlationSimulator({ accessTokens: [TOKEN], jobs });
  return simulator;
}

function postJob(sim: AlationSimulator, body: string) {
  return fetch(`${sim.url}${SIMULATOR_PATHS.adminJobs}`, { method: 'POST', body });
}

async function scenarioFile(name: string, content: unknown): Promise<string> {
  const path = join(scratch, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('Alation simulator: admin endpoints', () => {
  it('creates a job from a JSON definition and returns its id and name', async () => {
    const sim = await start([{ id: 1 }]);

    const response = await postJob(sim, JSON.stringify({ name: 'bulk_api_job#9', preset: 'qli' }));
    const created = await response.json();
    const status = await fetch(jobStatusUrl(sim.url, { name: 'bulk_api_job#9' }), { headers: { TOKEN } });

    expect(response.status).toBe(201);
    expect(created).toEqual({ id: 2, name: 'bulk_api_job#9' });
    expect(status.status).toBe(200);
  });

  it('rejects a job definition with 400 naming the bad field', async () => {
    const sim = await start();

    const response = await postJob(sim, JSON.stringify({ preset: 'doesNotExist' }));
    const body = (await response.json()) as { detail: string; field: string };

    expect(response.status).toBe(400);
    expect(body.field).toBe('job.preset');
    expect(body.detail).toMatch(/^job\.preset: Invalid option/);
  });

  it('rejects a job whose id is already taken', async () => {
    const sim = await start([{ id: 1 }]);

    const response = await postJob(sim, JSON.stringify({ id: 1 }));

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: 'job.id: job id 1 already exists', field: 'job.id' });
  });

  it('rejects a body that is not JSON', async () => {
    const sim = await start();

    const response = await postJob(sim, '{not json');

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: 'Request body is not valid JSON.' });
  });

  it('adds a job from code with addJob()', async () => {
    const sim = await start();

    const added = sim.addJob({ name: 'Lineage#1', preset: 'nullResult' });

    expect(added).toEqual({ id: 1, name: 'Lineage#1' });
    expect(() => sim.addJob({ preset: 'counts', body: { status: 'failed', result: null } })).toThrow(
      InvalidJobDefinitionError,
    );
  });

  it('counts requests by path and status, and faults by kind', async () => {
    simulator = await startAlationSimulator({ accessTokens: [TOKEN], jobs: [{ id: 1 }], faults: {} });
    const sim = simulator;

    await (await fetch(jobStatusUrl(sim.url, { id: 1 }), { headers: { TOKEN } })).text();
    await (await fetch(jobStatusUrl(sim.url, { id: 1 }))).text();
    await (await fetch(jobStatusUrl(sim.url, { id: 99 }), { headers: { TOKEN } })).text();
    const response = await fetch(`${sim.url}${SIMULATOR_PATHS.adminStats}`);
    const stats = await response.json();

    expect(stats).toEqual({
      requests: {
        total: 4,
        byPath: { '/api/v1/bulk_metadata/job/': 3, '/__admin/stats': 1 },
        byStatus: { '200': 1, '401': 1, '404': 1 },
      },
      faults: { latency: 0, timeout: 0, serverError: 0, rateLimit: 0, html: 0, malformedJson: 0 },
      jobs: [{ id: 1, polls: 1, finished: true }],
    });
    expect(sim.stats().requests.byStatus).toEqual({ '200': 2, '401': 1, '404': 1 });
  });

  it('answers 404 "Not found." for an unknown path', async () => {
    const sim = await start();

    const response = await fetch(`${sim.url}/api/v2/nothing/`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'Not found.' });
  });
});

describe('Alation simulator: scenario files', () => {
  it('loads job definitions from a scenario file', async () => {
    const path = await scenarioFile('ok.json', {
      jobs: [
        { name: 'MetadataExtraction#1_x', durationMs: 100, preset: 'countsWithErrors' },
        { id: 5, body: { status: 'failed', result: 'boom' } },
      ],
    });

    const jobs = await loadScenario(path);
    const sim = await start(jobs);

    expect(jobs).toEqual([
      { name: 'MetadataExtraction#1_x', durationMs: 100, preset: 'countsWithErrors' },
      { id: 5, body: { status: 'failed', result: 'boom' } },
    ]);
    expect(sim.stats().jobs.map((job) => job.id)).toEqual([1, 5]);
  });

  it('names the bad field and the file when a job is invalid', async () => {
    const path = await scenarioFile('bad-field.json', { jobs: [{ id: 1 }, { durationMs: -5 }] });

    const failure = await loadScenario(path).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(InvalidJobDefinitionError);
    expect((failure as InvalidJobDefinitionError).field).toBe('jobs.1.durationMs');
    expect((failure as Error).message).toMatch(/^jobs\.1\.durationMs: .+ \(in .+bad-field\.json\)$/);
  });

  it('names an unknown key, so a misspelt field is not silently ignored', async () => {
    const path = await scenarioFile('typo.json', { jobs: [{ duration: 100 }] });

    await expect(loadScenario(path)).rejects.toThrow(/^jobs\.0: Unrecognized key: "duration"/);
  });

  it('names the jobs field when the scenario has no jobs list', async () => {
    const path = await scenarioFile('no-jobs.json', { job: [] });

    await expect(loadScenario(path)).rejects.toThrow(/^scenario\.jobs: /);
  });

  it('raises ScenarioFileError for a file that is not JSON', async () => {
    const path = await scenarioFile('not-json.json', '{"jobs": [');

    await expect(loadScenario(path)).rejects.toThrow(ScenarioFileError);
  });

  it('raises ScenarioFileError for a file that does not exist', async () => {
    await expect(loadScenario(join(scratch, 'missing.json'))).rejects.toThrow(/missing\.json: cannot read/);
  });
});

describe('Alation simulator: options', () => {
  it('refuses a fault rate outside 0..1 before listening', async () => {
    await expect(startAlationSimulator({ faults: { serverErrorRate: 2 } })).rejects.toThrow(
      InvalidSimulatorOptionsError,
    );
  });

  it('refuses an inverted latency range', async () => {
    await expect(startAlationSimulator({ faults: { latencyMs: [100, 10] } })).rejects.toThrow(/latencyMs/);
  });

  it('names the start-up job that is invalid', async () => {
    await expect(startAlationSimulator({ jobs: [{ id: 1 }, { id: 1 }] })).rejects.toThrow(/^jobs\.1\.id: /);
  });
});
