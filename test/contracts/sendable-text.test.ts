import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSendableText, REPLACEMENT_CHARACTER, toSendableText } from '../../shared/contracts/sendable-text';

/** The rule from the SQS reference, written as directly as possible, to check the regex against. */
function allowedByReference(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
      continue;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return false;
    if (unit === 0x9 || unit === 0xa || unit === 0xd) continue;
    if (unit < 0x20 || unit === 0xfffe || unit === 0xffff) return false;
  }
  return true;
}

describe('sendable text', () => {
  it.each([
    ['a lone high surrogate', 'a\uD800b'],
    ['a lone low surrogate', 'a\uDC00b'],
    ['a reversed pair', '\uDC00\uD800'],
    ['U+FFFE', 'x\uFFFE'],
    ['U+FFFF', '\uFFFFx'],
    ['NUL', 'a\u0000'],
    ['ESC', '\u001b[31m'],
  ])('replaces %s with U+FFFD', (_name, text) => {
    expect(isSendableText(text)).toBe(false);
    const sendable = toSendableText(text);
    expect(isSendableText(sendable)).toBe(true);
    expect(sendable).toContain(REPLACEMENT_CHARACTER);
    expect(sendable.length).toBe(text.length);
  });

  it('keeps tabs, new lines, astral characters and ordinary text as they are', () => {
    const text = 'tab\tline\r\nemoji 😀 ü \uE000 \uFFFD';
    expect(isSendableText(text)).toBe(true);
    expect(toSendableText(text)).toBe(text);
  });

  it('agrees with the reference rule on any UTF-16 string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(isSendableText(text)).toBe(allowedByReference(text));
        expect(allowedByReference(toSendableText(text))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('grows linearly: a megabyte takes about ten times as long as 100 KB, not a hundred', () => {
    // Best of 7, so one garbage collection does not decide the ratio. (A string of nothing but
    // lone surrogates grows by about 50× from 100 KB to 1 MB on these machines, and 4× from 1 to
    // 4 MB: the cost of building a new megabyte string, not of the scan.)
    const time = (units: number) => {
      const text = 'abcdefg\uD800'.repeat(units / 8);
      let best = Number.POSITIVE_INFINITY;
      for (let run = 0; run < 7; run++) {
        // CPU time, not wall time: on a loaded machine another process's turn is not ours.
        const start = process.cpuUsage();
        toSendableText(text);
        const used = process.cpuUsage(start);
        best = Math.min(best, (used.user + used.system) / 1000);
      }
      return best;
    };
    time(100_000); // warm the regex
    const ratio = time(1_000_000) / Math.max(time(100_000), 0.05);
    expect(ratio).toBeLessThan(30);
  });
});
