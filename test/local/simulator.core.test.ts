import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideFault, truncateJson, type FaultOptions } from '../../shared/local/simulator/faults';
import { formatFinishedMessage } from '../../shared/local/simulator/finishedMessage';
import { parseJobDefinition } from '../../shared/local/simulator/jobDefinition';
import { createRandom } from '../../shared/local/simulator/random';

const RATE_KEYS = ['timeoutRate', 'serverErrorRate', 'rateLimitRate', 'htmlRate', 'malformedJsonRate'] as const;

describe('formatFinishedMessage', () => {
  it('formats the reference page example with a Python-style float and timestamp', () => {
    const message = formatFinishedMessage(1000, Date.UTC(2017, 0, 12, 23, 52, 34, 307));

    expect(message).toBe('Job finished in 1.0 seconds at 2017-01-12 23:52:34.307000+00:00');
  });

  it('prints fractional seconds without trailing zeros', () => {
    expect(formatFinishedMessage(586, 0)).toBe('Job finished in 0.586 seconds at 1970-01-01 00:00:00.000000+00:00');
  });

  it('always prints seconds that parse back to the duration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 4_102_444_800_000 }), (durationMs, at) => {
        const match = /^Job finished in (\d+\.\d+) seconds at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00$/.exec(
          formatFinishedMessage(durationMs, at),
        );
        expect(match).not.toBeNull();
        expect(Number(match?.[1]) * 1000).toBeCloseTo(durationMs, 6);
      }),
    );
  });
});

describe('createRandom', () => {
  it('repeats the same sequence for the same seed, within [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const first = createRandom(seed);
        const second = createRandom(seed);
        const values = Array.from({ length: 20 }, () => first());
        expect(Array.from({ length: 20 }, () => second())).toEqual(values);
        for (const value of values) expect(value >= 0 && value < 1).toBe(true);
      }),
    );
  });
});

describe('decideFault', () => {
  it('never faults when every rate is 0', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(decideFault(createRandom(seed), {}).fault).toBeUndefined();
      }),
    );
  });

  it('always fires a fault whose rate is 1 when the others are 0', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(...RATE_KEYS), (seed, key) => {
        const options: FaultOptions = { [key]: 1 };
        expect(decideFault(createRandom(seed), options).fault).toBe(key.replace(/Rate$/, ''));
      }),
    );
  });

  it('prefers a timeout when several faults hit the same request', () => {
    const everything: FaultOptions = Object.fromEntries(RATE_KEYS.map((key) => [key, 1]));

    expect(decideFault(createRandom(1), everything).fault).toBe('timeout');
  });

  it('keeps a latency range within its bounds', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(1000), fc.nat(1000), (seed, a, b) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const { latencyMs } = decideFault(createRandom(seed), { latencyMs: [min, max] });
        expect(latencyMs).toBeGreaterThanOrEqual(min);
        expect(latencyMs).toBeLessThanOrEqual(max);
      }),
    );
  });

  it('draws the same amount per request, so one fault kind does not reshuffle the others', () => {
    const withOnlyErrors = createRandom(9);
    const withErrorsAndLatency = createRandom(9);

    const a = Array.from({ length: 50 }, () => decideFault(withOnlyErrors, { serverErrorRate: 0.3 }).fault);
    const b = Array.from({ length: 50 }, () => decideFault(withErrorsAndLatency, { serverErrorRate: 0.3, latencyMs: [1, 9] }).fault);

    expect(b).toEqual(a);
    expect(a).toContain('serverError');
  });
});

describe('truncateJson', () => {
  it('never yields parseable JSON for an object body', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        expect(() => JSON.parse(truncateJson(JSON.stringify(object)))).toThrow();
      }),
    );
  });
});

describe('parseJobDefinition', () => {
  it('rejects any unknown key, naming it', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter(
          (key) => !['id', 'name', 'durationMs', 'pollsBeforeDone', 'preset', 'body', 'followUpJobId'].includes(key),
        ),
        (key) => {
          expect(() => parseJobDefinition({ [key]: 1 })).toThrow(/^job: Unrecognized key/);
        },
      ),
    );
  });

  it('rejects a definition with both a preset and a body', () => {
    expect(() => parseJobDefinition({ preset: 'counts', body: { status: 'failed', result: null } }, 'jobs.0')).toThrow(
      'jobs.0.body: give either preset or body, not both',
    );
  });
});
