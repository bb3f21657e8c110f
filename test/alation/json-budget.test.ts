import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exceedsJsonValues } from '../../shared/alation/json-budget';

/** Every list, object and item of a decoded JSON value. */
function valueCount(value: unknown): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    count++;
    if (Array.isArray(item)) stack.push(...item);
    else if (typeof item === 'object' && item !== null) stack.push(...Object.values(item));
  }
  return count;
}

describe('exceedsJsonValues', () => {
  it.each([
    ['a scalar', '1', 1, false],
    ['two items', '[1,2]', 2, true],
    ['two items', '[1,2]', 3, false],
    ['empty objects', '[{},{},{}]', 5, true],
    ['commas and brackets inside strings', '["a,b,[{", "\\",{"]', 3, false],
  ])('counts %s (%s, limit %i): %s', (_, text, limit, expected) => {
    expect(exceedsJsonValues(text, limit)).toBe(expected);
  });

  it('never lets through a text that decodes into more values than the limit', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 50 }), (value, limit) => {
        const text = JSON.stringify(value);
        if (!exceedsJsonValues(text, limit)) expect(valueCount(JSON.parse(text))).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 500 },
    );
  });
});
