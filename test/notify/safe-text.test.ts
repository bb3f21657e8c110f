import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LINE_BREAK_MARK, safeBlock, safeJson, safeLine, safeLines } from '../../shared/notify/safe-text';

/** Everything a reader must never receive raw: controls (but tab), breaks, bidi, lone surrogates, non-characters. */
const UNSAFE = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Strings dense in the characters that matter, mixed with ordinary text and any UTF-16. */
const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\n', '\r', '\r\n', '\u000B', '\u000C', '\u0085', '\u2028', '\u2029', '\t', '\u001B', '\u0000', '\u007F', '\u009B'),
    fc.constantFrom('\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C'),
    fc.constantFrom('\uD800', '\uDFFF', '\uFFFE', '\uFFFF', 'Status: successful', 'é', '😀'),
    fc.string({ unit: 'binary', maxLength: 3 }),
    fc.string({ maxLength: 5 }),
  ),
  maxLength: 60,
});

describe('safeLine', () => {
  it('leaves no control, break, bidi or ill-formed character in any input', () => {
    fc.assert(fc.property(hostile, (text) => !UNSAFE.test(safeLine(text))), { numRuns: 2000 });
  });

  it('keeps ordinary text as it is', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'abc XYZ 0123:.,-_#/é漢😀'.split(/(?:)/u)) }), (text) => safeLine(text) === text));
  });

  it('shows each line break as one visible mark', () => {
    expect(safeLine('failed\nStatus: successful\r\nok')).toBe(`failed${LINE_BREAK_MARK}Status: successful${LINE_BREAK_MARK}ok`);
  });

  it('removes bidi overrides and makes terminal escapes visible', () => {
    expect(safeLine('job\u202Etxt.exe\u202C')).toBe('jobtxt.exe');
    expect(safeLine('\u001B[2J\u001B]0;title\u0007')).toBe('\uFFFD[2J\uFFFD]0;title\uFFFD');
    expect(safeLine('a\u009Bb\tc')).toBe('a\uFFFDb c');
  });
});

describe('safeLines and safeBlock', () => {
  it('give one safe line per line of the input', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const lines = safeLines(text);
        const breaks = text.match(/\r\n|[\n\r\u000B\u000C\u0085\u2028\u2029]/g)?.length ?? 0;
        return lines.length === breaks + 1 && lines.every((line) => !UNSAFE.test(line));
      }),
      { numRuns: 2000 },
    );
  });

  it('indents every further line, so none starts where a label does', () => {
    fc.assert(
      fc.property(hostile, (text) => safeBlock(text, '    ').split('\n').slice(1).every((line) => line.startsWith('    '))),
      { numRuns: 2000 },
    );
  });
});

describe('safeJson', () => {
  it('reads back as the same value, with nothing misleading written raw', () => {
    fc.assert(
      fc.property(fc.dictionary(hostile, hostile, { maxKeys: 4 }), (value) => {
        const json = safeJson(value);
        return JSON.stringify(JSON.parse(json)) === JSON.stringify(value) && !/[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/.test(json);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('cost', () => {
  it('grows linearly: 1 MB of hostile text takes about ten times 100 KB', () => {
    const unit = 'a\n\u202E\u001B\u2028b\r\n\u0000 '.repeat(1000);
    // The fastest of five runs of each, in CPU time: a garbage collection in one run, or another
    // process's turn on a loaded machine, is not the algorithm.
    const time = (text: string) =>
      Math.min(
        ...[1, 2, 3, 4, 5].map(() => {
          const started = process.cpuUsage();
          safeLine(text);
          const used = process.cpuUsage(started);
          return (used.user + used.system) / 1000;
        }),
      );
    const small = unit.repeat(10); // 100 K characters
    const large = unit.repeat(100); // 1 M characters
    time(small); // warm up
    const ratio = time(large) / time(small);
    // Linear is about 10×, quadratic 100×; a full test run on two busy cores measured up to 32×
    // (garbage collection of the megabyte strings), so the line sits between the two.
    expect(ratio).toBeLessThan(50);
  });
});
