import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFinishedMessage } from '../../shared/alation/parse-message';

describe('parseFinishedMessage', () => {
  it('reads the duration and the finish time in UTC', () => {
    expect(parseFinishedMessage('Job finished in 1.0 seconds at 2017-01-12 23:52:34.307327+00:00')).toEqual({
      durationSeconds: 1,
      finishedAt: '2017-01-12T23:52:34.307Z',
    });
  });

  it('converts a non-UTC offset to UTC', () => {
    expect(parseFinishedMessage('Job finished in 0.5 seconds at 2017-01-12 23:52:34+02:00').finishedAt).toBe(
      '2017-01-12T21:52:34.000Z',
    );
  });

  it('gives nulls for an empty, absent or unreadable msg', () => {
    for (const msg of ['', null, undefined, 42, 'Job is running', 'Job finished in x seconds at soon']) {
      expect(parseFinishedMessage(msg)).toEqual({ durationSeconds: null, finishedAt: null });
    }
  });

  it('never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (msg) => {
        const parsed = parseFinishedMessage(msg);
        expect(parsed.finishedAt === null || !Number.isNaN(Date.parse(parsed.finishedAt))).toBe(true);
      }),
    );
  });
});
