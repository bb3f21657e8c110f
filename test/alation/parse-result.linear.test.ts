import { describe, expect, it } from 'vitest';
import { parseResult } from '../../shared/alation/parse-result';

/**
 * Linear growth, shown as a ratio measured in one run (issue 11): the time for a 1 MB
 * hostile result against the time for 100 KB of the same. Linear work gives about 10;
 * the quadratic patterns this replaced gave about 100 (a 200 KB run of digits took two
 * minutes). The threshold is generous for a shared machine, and far below quadratic.
 */
const SMALL = 100_000;
const LARGE = 1_000_000;
const MAX_RATIO = 30;

const shapes: Record<string, (chars: number) => unknown> = {
  'digits in error': (n) => JSON.stringify({ error: '1'.repeat(n) }),
  'whitespace after the follow-up phrase': (n) => `Legacy write job_id (can be tracked using jobs API)${' '.repeat(n)}x`,
  'digits and spaces taking turns': (n) => ['1 '.repeat(n / 2)],
  'Line N. Key: prefixes': (n) => ({ error_objects: ['Line 1. Key: '.repeat(Math.floor(n / 13))], error: 'Line 1. Key: '.repeat(Math.floor(n / 13)) }),
  'counts without their words': (n) => `Upserted ${'1 a '.repeat(n / 4)}`,
};

/**
 * CPU time, not wall time: on a shared machine a 100 ms run is preempted by other
 * processes many times and a 3 ms run rarely, which inflates the wall-clock ratio by the
 * machine's load rather than by the parser's work.
 */
function bestOf(runs: number, work: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = process.cpuUsage();
    work();
    const { user, system } = process.cpuUsage(started);
    best = Math.min(best, (user + system) / 1000);
  }
  return best;
}

describe('parseResult time', () => {
  it.each(Object.entries(shapes))('grows linearly with the size of %s', (_, make) => {
    const small = make(SMALL);
    const large = make(LARGE);
    parseResult(small); // warm up the JIT
    const smallMs = Math.max(bestOf(5, () => parseResult(small)), 0.5);
    const largeMs = bestOf(3, () => parseResult(large));
    expect(largeMs / smallMs, `1 MB took ${largeMs.toFixed(1)} ms, 100 KB ${smallMs.toFixed(1)} ms`).toBeLessThan(MAX_RATIO);
  });
});
