/**
 * Issue 11: reading an oversized answer for its status keeps memory bounded whatever the
 * answer's size. Measured in a child process (its peak RSS is its own), against a real loopback
 * server that streams the answer from one reused 1 MiB piece, so the server holds no copy.
 *
 * What bounds it: the client keeps at most `maxBodyBytes` (4 MiB) and hands the rest to the
 * scanner chunk by chunk, holding none of it; what remains is the runtime's own buffering and
 * the chunks waiting for the garbage collector (V8 collects external memory in steps of about
 * 64 MiB). Reading a 40 MiB answer whole took about 135 MiB (measured while building this).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/http-server';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./fixtures/read-oversized-answer.ts', import.meta.url));
const MiB = 1024 * 1024;
const HEAD = Buffer.from('{"status": "failed", "msg": "Job finished", "result": "');
const TAIL = Buffer.from('"}');
const PIECE = Buffer.alloc(MiB, 'x');
/** The most the read may add to the child's peak RSS: far below the answers measured. */
const BOUND_MIB = 96;

let server: TestServer;
let answerMiB = 0;

beforeAll(async () => {
  server = await startTestServer((request, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (request.url.endsWith('id=1')) {
      res.end('{"status": "running"}');
      return;
    }
    // Written as the socket drains, so the server holds one piece at a time.
    res.write(HEAD);
    let left = answerMiB;
    const more = () => {
      while (left > 0) {
        left--;
        if (!res.write(PIECE)) return void res.once('drain', more);
      }
      res.end(TAIL);
    };
    more();
  });
});
afterAll(() => server.close());

async function measure(mib: number): Promise<{ status: string; resultOmitted: { bytes: number } | null; growthMiB: number }> {
  answerMiB = mib;
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, server.url, String(256 * MiB)], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as { status: string; resultOmitted: { bytes: number } | null; growthMiB: number };
}

describe('reading an oversized answer for its status', () => {
  it('adds a bounded amount to peak memory, for 40 MiB and 160 MiB answers alike', async () => {
    const rows = [];
    for (const mib of [40, 160]) {
      const measured = await measure(mib);
      rows.push({ answerMiB: mib, peakRssGrowthMiB: Number(measured.growthMiB.toFixed(1)) });
      expect(measured).toMatchObject({ status: 'failed', resultOmitted: { bytes: mib * MiB + HEAD.length + TAIL.length } });
      expect(measured.growthMiB).toBeLessThan(BOUND_MIB);
    }
    console.log('oversized answer, peak RSS growth of one status check:', JSON.stringify(rows));
  }, 120_000);
});
