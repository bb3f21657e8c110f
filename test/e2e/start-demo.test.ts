/**
 * `npm start`'s demo path, as a user runs it: a child process of the real bin, shortened
 * with --deadline-seconds. Proves the exit code, the outcome file, and that the process ends
 * on its own (nothing left running) or on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jobKey } from '../../shared/alation/job-identifier';
import { OutcomeSchema } from '../../shared/contracts/outcome';

const BIN = join(import.meta.dirname, '../../bin/alation-job-watch.js');
const outRoot = mkdtempSync(join(tmpdir(), 'job-watch-e2e-'));
afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `alation-job-watch start …`; `onStdout` may act on the output as it arrives. */
function runStart(args: string[], onStdout?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('npm start (the demo)', () => {
  it('exits 0 after every demo job got its expected outcome, and writes one outcome a line', async () => {
    const outDir = join(outRoot, 'full');

    const run = await runStart(['--deadline-seconds', '8', '--out-dir', outDir]);

    expect(run.code, run.stdout + run.stderr).toBe(0);
    const outcomes = readFileSync(join(outDir, 'outcomes.jsonl'), 'utf8').trim().split('\n').map((line) => OutcomeSchema.parse(JSON.parse(line)));
    expect(Object.fromEntries(outcomes.map((o) => [jobKey(o.job), o.status]))).toEqual({
      'id:1': 'successful',
      'name:MetadataExtraction_demo#1': 'successful',
      'id:3': 'successful',
      'id:4': 'partially_successful',
      'name:bulk_api_job_failed_demo#1': 'failed',
      'id:6': 'successful',
      'id:7': 'successful',
      'id:70': 'successful',
      'id:8': 'timed_out',
      'id:404': 'not_found',
    });
    // Ten jobs (#70 the follow-up #7 named, enqueued by the watcher) and the verdict of #7's chain.
    expect(outcomes).toHaveLength(11);
    expect(outcomes.filter((o) => o.chain).map((o) => [jobKey(o.job), o.chain!.status, o.chain!.jobs.length])).toEqual([['id:7', 'successful', 2]]);
    expect(run.stdout).toMatch(/^#7 chain +successful +\d+ +[\d.]+ s +chain of 2 jobs +none +ok$/m);
    expect(run.stdout).toMatch(/^#70 +successful .* ok$/m);
    // Not a terminal: plain progress lines, no escape codes, then the table and the file path.
    expect(run.stdout).not.toContain('\x1b[');
    expect(run.stdout).toMatch(/^JOB +STATUS +POLLS +NOTIFIED +COUNTS +ERRORS +CHECK$/m);
    expect(run.stdout).toMatch(/^\(invalid\) \{"jobId": "abc"\} +dead_lettered .* ok$/m);
    expect(run.stdout).toContain(`Outcomes (JSON lines): ${join(outDir, 'outcomes.jsonl')}`);
    // The handler's JSON logs went to the log file, not into the view.
    expect(run.stdout).not.toContain('"messageId"');
    expect(readFileSync(join(outDir, 'handler.log'), 'utf8')).toContain('"messageId"');
  }, 40_000);

  it('stops everything and exits 130 on Ctrl-C, keeping the outcomes that arrived', async () => {
    const outDir = join(outRoot, 'interrupted');
    let sent = false;

    const run = await runStart(['--deadline-seconds', '30', '--out-dir', outDir], (stdout, child) => {
      // Interrupt once the first outcome is in, while slow jobs are still being watched.
      if (!sent && stdout.includes(' → ')) {
        sent = true;
        child.kill('SIGINT');
      }
    });

    expect(run.code, run.stdout + run.stderr).toBe(130);
    expect(run.stderr).toContain('SIGINT: stopping everything');
    expect(run.stdout).toMatch(/^#8 +\(none\) /m);
    expect(readFileSync(join(outDir, 'outcomes.jsonl'), 'utf8').length).toBeGreaterThan(0);
  }, 30_000);
});
