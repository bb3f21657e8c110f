import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitIntoBatches, sqsEntryBytes } from '../../shared/aws/sqs-batches';

describe('splitIntoBatches', () => {
  it('keeps every entry in order, each batch within both limits unless one entry alone is over', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 60 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 500 }), (sizes, entries, payloadBytes) => {
        const batches = splitIntoBatches(sizes, (n) => n, { entries, payloadBytes });
        const flat = batches.flat();
        const total = (b: number[]) => b.reduce((a, n) => a + n, 0);
        return (
          JSON.stringify(flat) === JSON.stringify(sizes) &&
          batches.every((b) => b.length > 0 && b.length <= entries && (b.length === 1 || total(b) <= payloadBytes))
        );
      }),
    );
  });

  it('starts a new batch only when the next entry would not fit', () => {
    expect(splitIntoBatches([300, 300, 300, 600, 100], (n) => n, { entries: 10, payloadBytes: 1000 })).toEqual([[300, 300, 300], [600, 100]]);
  });
});

describe('sqsEntryBytes', () => {
  it('counts the body in UTF-8 and each attribute’s name, type and value', () => {
    expect(sqsEntryBytes({ MessageBody: 'é', MessageAttributes: { reason: { DataType: 'String', StringValue: 'bad' }, b: { DataType: 'Binary', BinaryValue: new Uint8Array(4) } } })).toBe(
      2 + (6 + 6 + 3) + (1 + 6 + 4),
    );
  });
});
