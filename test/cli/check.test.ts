import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../shared/cli/main';
import { OutcomeSchema } from '../../shared/contracts/outcome';
import { startAlationSimulator, type AlationSimulator } from '../../shared/local/simulator';

let sim: AlationSimulator;

beforeAll(async () => {
  sim = await startAlationSimulator({
    jobs: [
      { id: 1, preset: 'qli' },
      { id: 2, name: 'MetadataExtraction#1_2017-10-05', preset: 'countsWithErrors' },
      { id: 3, preset: 'failed' },
      { id: 4, preset: 'partiallySuccessful' },
      { id: 5, preset: 'neverFinishes' },
    ],
  });
});
afterAll(() => sim.stop());

async function run(args: string[], env: Record<string, string | undefined> = { ALATION_BASE_URL: sim.url, ALATION_TOKEN: sim.accessToken }) {
  let out = '';
  let err = '';
  const code = await main(['node', 'alation-job-watch', ...args], {
    env,
    write: (t) => (out += t),
    writeError: (t) => (err += t),
    now: () => new Date('2026-05-01T00:00:00Z'),
  });
  return { code, out, err };
}

describe('alation-job-watch check', () => {
  it('prints exactly one outcome object with --json and exits 0 for a successful job', async () => {
    const { code, out } = await run(['check', '--id', '1', '--json']);
    expect(code).toBe(0);
    const outcome = OutcomeSchema.parse(JSON.parse(out));
    expect(outcome).toMatchObject({ job: { id: 1 }, status: 'successful', polls: 1, result: { newEventsIngested: 0, previouslyIngestedSkipped: 1 } });
    expect(out.trim().split('\n')).toHaveLength(1);
  });

  it('accepts an already-encoded name and prints a readable summary', async () => {
    const { code, out } = await run(['check', '--name', 'MetadataExtraction%231_2017-10-05']);
    expect(code).toBe(0);
    expect(out).toContain('Alation job MetadataExtraction#1_2017-10-05: finished successfully, with errors');
    expect(sim.requests.at(-1)?.path).toBe('/api/v1/bulk_metadata/job/?name=MetadataExtraction%231_2017-10-05');
  });

  it.each([
    ['3', 3],
    ['4', 4],
    ['5', 5],
    ['404', 6],
  ])('exits with a distinct code for job %s', async (id, expected) => {
    expect((await run(['check', '--id', id])).code).toBe(expected);
  });

  it('prints a check report for a running job', async () => {
    const { out } = await run(['check', '--id', '5', '--json']);
    expect(JSON.parse(out)).toEqual({
      schema: 'alation.job-check/v1',
      job: { id: 5 },
      status: 'running',
      message: null,
      polls: 1,
      checkedAt: '2026-05-01T00:00:00.000Z',
      error: null,
    });
  });

  it('exits 7 on a refused token, without printing it', async () => {
    const { code, out } = await run(['check', '--id', '1', '--json'], { ALATION_BASE_URL: sim.url, ALATION_TOKEN: 'wrong-token-123' });
    expect(code).toBe(7);
    expect(JSON.parse(out)).toMatchObject({ status: 'error', error: { errorClass: 'auth' } });
    expect(out).not.toContain('wrong-token-123');
  });

  it('exits 8 when Alation cannot be reached', async () => {
    const closed = await startAlationSimulator();
    const url = closed.url;
    await closed.stop();
    expect((await run(['check', '--id', '1'], { ALATION_BASE_URL: url, ALATION_TOKEN: 't' })).code).toBe(8);
  });

  it.each([
    [['check'], 'give --id or --name'],
    [['check', '--id', '-1'], 'jobId: must be a positive integer'],
    [['check', '--id', '1', '--base-url', 'http://alation.example.com'], '--base-url: must use https://'],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const { code, err } = await run(args);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it('exits 2 when ALATION_TOKEN is missing', async () => {
    const { code, err } = await run(['check', '--id', '1'], { ALATION_BASE_URL: sim.url });
    expect(code).toBe(2);
    expect(err).toContain('ALATION_TOKEN: is required (or give --token-secret-id)');
  });

  it('runs as the package bin', async () => {
    const { stdout } = await promisify(execFile)('node', ['bin/alation-job-watch.js', 'check', '--id', '1', '--json'], {
      env: { ...process.env, ALATION_BASE_URL: sim.url, ALATION_TOKEN: sim.accessToken },
    });
    expect(JSON.parse(stdout)).toMatchObject({ schema: 'alation.job-outcome/v1', status: 'successful' });
  });
});
