import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateCommand } from '../../shared/cli/simulate';
import { jobStatusUrl } from '../../shared/local/simulator';

/** Runs `simulate` with fake signals, collecting what it prints. */
function runSimulate(args: string[]) {
  const lines: string[] = [];
  const signals = new EventEmitter();
  const command = simulateCommand({ write: (line) => lines.push(line), signals });
  command.exitOverride();
  const done = command.parseAsync(args, { from: 'user' });
  return { lines, signals, done };
}

async function waitForUrl(lines: string[]): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const url = lines.map((line) => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1]).find(Boolean);
    if (url !== undefined) return url;
    if (Date.now() > deadline) throw new Error(`simulator did not start; output: ${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('alation-job-watch simulate', () => {
  it('starts the simulator, prints its URL and token, and stops on SIGINT', async () => {
    const run = runSimulate(['--token', 'demo-token', '--port', '0']);
    const url = await waitForUrl(run.lines);

    const response = await fetch(jobStatusUrl(url, { id: 1 }), { headers: { TOKEN: 'demo-token' } });
    await response.text();
    run.signals.emit('SIGINT');
    await run.done;

    expect(response.status).toBe(200);
    expect(run.lines).toContain('TOKEN header: demo-token');
    expect(run.lines.at(-1)).toBe('Alation simulator stopped.');
    await expect(fetch(jobStatusUrl(url, { id: 1 }))).rejects.toThrow();
  });

  it('applies fault flags to the simulator it starts', async () => {
    const run = runSimulate(['--token', 't', '--rate-limit-rate', '1', '--retry-after', '3', '--seed', '5']);
    const url = await waitForUrl(run.lines);

    const response = await fetch(jobStatusUrl(url, { id: 1 }), { headers: { TOKEN: 't' } });
    await response.text();
    run.signals.emit('SIGTERM');
    await run.done;

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
  });

  it('serves the jobs of a scenario file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'simulate-cli-'));
    const scenario = join(dir, 'scenario.json');
    await writeFile(scenario, JSON.stringify({ jobs: [{ id: 42, preset: 'qli' }] }));
    try {
      const run = runSimulate(['--token', 't', '--scenario', scenario, '--latency-ms', '10-20']);
      const url = await waitForUrl(run.lines);

      const response = await fetch(jobStatusUrl(url, { id: 42 }), { headers: { TOKEN: 't' } });
      const body = (await response.json()) as { result: string };
      run.signals.emit('SIGINT');
      await run.done;

      expect(body.result).toMatch(/^Bulk Query Ingestion Succeeded/);
      expect(run.lines).toContain('  job id=42');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a rate outside 0..1', async () => {
    const command = simulateCommand({ write: () => undefined, signals: new EventEmitter() });
    command.exitOverride().configureOutput({ writeErr: () => undefined });

    await expect(command.parseAsync(['--error-rate', '1.5'], { from: 'user' })).rejects.toThrow(/from 0 to 1/);
  });
});
