import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../shared/cli/main';
import { exitCodeOfRun, parseJobsFile } from '../../shared/cli/start';
import type { Outcome } from '../../shared/contracts/outcome';
import { startAlationSimulator, type AlationSimulator } from '../../shared/local/simulator';

let sim: AlationSimulator;
const outRoot = mkdtempSync(join(tmpdir(), 'job-watch-start-'));

beforeAll(async () => {
  sim = await startAlationSimulator({ jobs: [{ id: 1, preset: 'counts' }, { id: 2, name: 'lineage#2', durationMs: 500, preset: 'failed' }] });
});
afterAll(async () => {
  await sim?.stop();
  rmSync(outRoot, { recursive: true, force: true });
});

async function start(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await main(['node', 'alation-job-watch', 'start', ...args], { env, write: (t) => (out += t), writeError: (t) => (err += t) });
  return { code, out, err };
}

describe('alation-job-watch start --alation-url (real mode)', () => {
  it('watches the given jobs with the local AWS stand-ins and exits with the worst outcome', async () => {
    const outDir = join(outRoot, 'real');

    const run = await start(['--alation-url', sim.url, '--id', '1', '--name', 'lineage%232', '--kind', 'lineage', '--deadline-seconds', '10', '--out-dir', outDir], { ALATION_TOKEN: sim.accessToken });

    expect(run.code, run.out + run.err).toBe(3);
    const outcomes = readFileSync(join(outDir, 'outcomes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Outcome);
    expect(Object.fromEntries(outcomes.map((o) => [JSON.stringify(o.job), [o.status, o.kind]]))).toEqual({ '{"id":1}': ['successful', 'lineage'], '{"name":"lineage#2"}': ['failed', 'lineage'] });
    expect(run.out).toMatch(/^lineage#2 +failed /m);
    expect(run.out).not.toContain(sim.accessToken);
  }, 20_000);

  it.each([
    [['--id', '1'], {}, '--id need --alation-url'],
    [['--deadline-seconds', '3'], {}, '--deadline-seconds must be at least 8'],
    [['--alation-url', 'http://example.com', '--id', '1'], { ALATION_TOKEN: 't' }, '--alation-url'],
    [['--alation-url', 'https://alation.example.com'], { ALATION_TOKEN: 't' }, 'give at least one job to watch'],
    [['--alation-url', 'https://alation.example.com', '--id', '1'], {}, 'ALATION_TOKEN: is required'],
    [['--alation-url', 'https://alation.example.com', '--id', 'x1'], { ALATION_TOKEN: 't' }, 'jobId'],
  ])('refuses %j with exit code 2 before starting anything', async (args, env, message) => {
    const run = await start(args, env as Record<string, string>);

    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
  });
});

describe('start helpers', () => {
  it('reads a jobs file of ids, names and JSON references', () => {
    expect(parseJobsFile('42\nMetadataExtraction#1_2017\n\n{"jobId": 7, "kind": "qli"}\n', { kind: 'lineage' })).toEqual([
      { jobId: '42', kind: 'lineage' },
      { jobName: 'MetadataExtraction#1_2017', kind: 'lineage' },
      { jobId: 7, kind: 'qli' },
    ]);
  });

  it.each([
    [['successful', 'partially_successful'], true, 4],
    [['successful', 'timed_out', 'partially_successful'], true, 5],
    [['successful'], false, 5],
    [['not_found', 'timed_out'], true, 6],
    [['failed', 'not_found'], true, 3],
    [['successful'], true, 0],
  ] as const)('exits for statuses %j (complete: %s) with %i', (statuses, complete, code) => {
    expect(exitCodeOfRun({ outcomes: statuses.map((status) => ({ status }) as Outcome), complete })).toBe(code);
  });
});
