import { afterEach, describe, expect, it } from 'vitest';
import {
  jobStatusUrl,
  PRESET_NAMES,
  startAlationSimulator,
  type AlationSimulator,
  type JobDefinition,
  type PresetName,
} from '../../shared/local/simulator';

const TOKEN = 'test-access-token';
/** The reference page's first example finished at 2017-01-12 23:52:34.307327 after 1.0 s. */
const CREATED_MS = Date.UTC(2017, 0, 12, 23, 52, 33, 307);
const DURATION_MS = 1000;
const MSG = 'Job finished in 1.0 seconds at 2017-01-12 23:52:34.307000+00:00';

let simulator: AlationSimulator | undefined;
afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
});

/** Starts a simulator holding one job, then moves the clock past its duration. */
async function finishedJob(definition: JobDefinition) {
  let nowMs = CREATED_MS;
  simulator = await startAlationSimulator({ accessTokens: [TOKEN], now: () => nowMs, jobs: [definition] });
  nowMs += DURATION_MS;
  return simulator;
}

async function bodyOf(sim: AlationSimulator, id: number): Promise<unknown> {
  const response = await fetch(jobStatusUrl(sim.url, { id }), { headers: { TOKEN } });
  expect(response.status).toBe(200);
  return response.json();
}

const EXPECTED: Record<PresetName, unknown> = {
  counts: {
    status: 'successful',
    msg: MSG,
    result: '{"updated_objects": 2, "number_received": 2, "error_objects": [], "error": ""}',
  },
  countsWithErrors: {
    status: 'successful',
    msg: MSG,
    result:
      '{"updated_objects": 1, "number_received": 2, "error_objects": ["Line 1. Key: schema_b. Datasource id in key does not match the id in the request"], "error": "1 errors were ignored"}',
  },
  qli: {
    status: 'successful',
    msg: MSG,
    result: 'Bulk Query Ingestion Succeeded: 0 new events ingested, 1 previously-ingested events skipped.',
  },
  listOfStrings: { status: 'successful', msg: MSG, result: ['[Succeeded: 2, Failed: 0, Total: 2]'] },
  followUp: {
    status: 'successful',
    msg: MSG,
    result:
      'Updated values count: 1. Error count: 0. Legacy(Rosemeta) write job_id (can be tracked using jobs API): 7637',
  },
  objects: {
    status: 'successful',
    msg: MSG,
    result: [
      {
        response: 'Created 1 object(s), updated 0 object(s)',
        mapping: [{ id: 101, key: '7.schema_a.table_a' }],
        errors: [],
      },
    ],
  },
  nullResult: { status: 'successful', msg: '', result: null },
  partiallySuccessful: {
    status: 'partially_successful',
    msg: MSG,
    result:
      '{"updated_objects": 1, "number_received": 2, "error_objects": ["Line 0. Key: 99.TestSchema.TestTable.index. Missing table"], "error": "1 errors were ignored"}',
  },
  failed: {
    status: 'failed',
    msg: MSG,
    result:
      '{"updated_objects": 0, "number_received": 2, "error_objects": ["Line 0. Key: 99.TestSchema.TestTable.index. Missing table", "Line 1. Key: schema_b. Datasource id in key does not match the id in the request"], "error": "2 errors were ignored"}',
  },
  neverFinishes: { status: 'running', msg: '', result: null },
};

describe('Alation simulator: presets', () => {
  it('has an expected body for every preset and no more', () => {
    expect([...PRESET_NAMES].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(PRESET_NAMES)('answers the exact final body of the %s preset', async (preset) => {
    const sim = await finishedJob({ id: 1, durationMs: DURATION_MS, preset, followUpJobId: 7637 });

    expect(await bodyOf(sim, 1)).toEqual(EXPECTED[preset]);
  });

  it('parses the counts result string as the reference page documents it', async () => {
    const sim = await finishedJob({ id: 1, durationMs: DURATION_MS, preset: 'counts' });

    const body = (await bodyOf(sim, 1)) as { result: string };

    expect(JSON.parse(body.result)).toEqual({ updated_objects: 2, number_received: 2, error_objects: [], error: '' });
  });

  it('creates the follow-up job its result names, finishing after the first one', async () => {
    const sim = await finishedJob({ id: 1, durationMs: DURATION_MS, preset: 'followUp', followUpJobId: 7637 });

    const followUp = (await bodyOf(sim, 7637)) as { status: string };

    expect(followUp.status).toBe('running');
  });

  it('gives the follow-up job the next free id when none is given', async () => {
    const sim = await finishedJob({ id: 4, durationMs: DURATION_MS, preset: 'followUp' });

    const body = (await bodyOf(sim, 4)) as { result: string };

    expect(body.result).toMatch(/job_id \(can be tracked using jobs API\): 5$/);
    expect(sim.stats().jobs.map((job) => job.id)).toEqual([4, 5]);
  });

  it('keeps a neverFinishes job running however much time passes', async () => {
    let nowMs = CREATED_MS;
    const yearMs = 365 * 24 * 3600 * 1000;
    simulator = await startAlationSimulator({
      accessTokens: [TOKEN],
      accessTokenTtlMs: 2 * yearMs,
      now: () => nowMs,
      jobs: [{ id: 1, preset: 'neverFinishes' }],
    });
    nowMs += yearMs;

    expect(await bodyOf(simulator, 1)).toEqual({ status: 'running', msg: '', result: null });
  });
});
