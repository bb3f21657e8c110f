import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseResult, toErrorObject, type ParseLimits, type ParsedResult } from '../../shared/alation/parse-result';
import { ResultParseLimits } from '../../shared/alation/parse-limits';
import { OutcomeResultSchema } from '../../shared/contracts/outcome';
import { isSendableText } from '../../shared/contracts/sendable-text';

const countsJson = (fields: Record<string, unknown>) => JSON.stringify(fields);

describe('parseResult', () => {
  it('reads counts from a JSON string result', () => {
    const { result } = parseResult(countsJson({ updated_objects: 2, number_received: 2, error_objects: [], error: '' }));
    expect(result).toEqual({
      updatedObjects: 2,
      numberReceived: 2,
      createdCount: null,
      failedCount: null,
      errorObjects: [],
      errorObjectCount: 0,
      errorsIgnored: 0,
      error: null,
      newEventsIngested: null,
      previouslyIngestedSkipped: null,
      text: null,
      data: { updated_objects: 2, number_received: 2, error_objects: [], error: '' },
      truncated: false,
      parseError: null,
    });
  });

  it('splits error objects of the form "Line N. Key: K. message"', () => {
    const { result } = parseResult(
      countsJson({
        error_objects: [
          'Line 1. Key: schema_b. Datasource id in key does not match the id in the request',
          'Line 0. Key: 99.TestSchema.TestTable.index. Missing table 99.TestSchema.TestTable',
          'something else went wrong',
        ],
        error: '3 errors were ignored',
      }),
    );
    expect(result.errorObjects).toEqual([
      { line: 1, key: 'schema_b', message: 'Datasource id in key does not match the id in the request' },
      { line: 0, key: '99.TestSchema.TestTable.index', message: 'Missing table 99.TestSchema.TestTable' },
      { line: null, key: null, message: 'something else went wrong' },
    ]);
    expect(result.errorObjectCount).toBe(3);
    expect(result.errorsIgnored).toBe(3);
  });

  it('keeps an error text that is not a count of ignored errors', () => {
    const { result } = parseResult(countsJson({ error: 'Datasource 7 does not exist' }));
    expect(result.error).toBe('Datasource 7 does not exist');
    expect(result.errorsIgnored).toBeNull();
  });

  it('reads query-log ingestion counts from plain text', () => {
    const text = 'Bulk Query Ingestion Succeeded: 0 new events ingested, 1 previously-ingested events skipped.';
    const { result } = parseResult(text);
    expect(result).toMatchObject({ newEventsIngested: 0, previouslyIngestedSkipped: 1, text, data: null });
    expect(result.updatedObjects).toBeNull();
  });

  it('keeps a bracketed list that is not JSON as text', () => {
    const { result } = parseResult('[Succeeded: 2, Failed: 0, Total: 2]');
    expect(result.text).toBe('[Succeeded: 2, Failed: 0, Total: 2]');
    expect(result.data).toBeNull();
  });

  it('reads a JSON list of strings', () => {
    const list = ['1 BIFolder object(s) received, 1 new object(s) created', 'Uploaded 3 directories and files.'];
    const { result } = parseResult(JSON.stringify(list));
    expect(result.data).toEqual(list);
    expect(result.numberReceived).toBe(1);
  });

  it('picks up a follow-up job id named in the text', () => {
    const text =
      'Updated values count: 1. Error count: 0 ... Legacy(Rosemeta) write job_id (can be tracked using jobs API): 7637';
    const parsed = parseResult(text);
    expect(parsed.followUpJobIds).toEqual([7637]);
    expect(parsed.result.updatedObjects).toBe(1);
  });

  it('reads an object result as data', () => {
    const data = { created_term_count: 2, created_terms: [{ id: 1, title: 'a' }] };
    expect(parseResult(data).result).toMatchObject({ data, text: null, updatedObjects: null });
  });

  it('collects errors from a list of objects', () => {
    const data = [{ response: 'ok', mapping: [{ id: 1, key: '1.s.t' }], errors: ['Line 2. Key: 1.s.u. Bad type'] }];
    expect(parseResult(data).result.errorObjects).toEqual([{ line: 2, key: '1.s.u', message: 'Bad type' }]);
  });

  it('keeps a result nested too deep to serialize only down to the depth limit, and says so', () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const { result } = parseResult(deep);
    expect(JSON.stringify(result.data)).toBe(`${'['.repeat(ResultParseLimits.maxDepth)}${']'.repeat(ResultParseLimits.maxDepth)}`);
    expect(result.truncated).toBe(true);
  });

  it('reads a null result as all nulls', () => {
    const { result, followUpJobIds } = parseResult(null);
    expect(result).toMatchObject({ updatedObjects: null, errorObjects: [], text: null, data: null });
    expect(followUpJobIds).toEqual([]);
  });

  it('never throws and always returns a contract-valid result, whatever the input', () => {
    const alationish = fc.oneof(
      fc.jsonValue(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string(),
      fc.record({
        updated_objects: fc.anything(),
        number_received: fc.anything(),
        error_objects: fc.oneof(fc.array(fc.anything()), fc.anything()),
        error: fc.anything(),
      }).map((r) => JSON.stringify(r) ?? ''),
    );
    fc.assert(
      fc.property(alationish, (raw) => {
        expect(OutcomeResultSchema.safeParse(parseResult(raw).result).success).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('toErrorObject', () => {
  it('keeps object entries that name their line, key and message', () => {
    expect(toErrorObject({ line: 4, key: 'k', message: 'm' })).toEqual({ line: 4, key: 'k', message: 'm' });
  });

  it('turns other values into a message', () => {
    expect(toErrorObject({ code: 7 })).toEqual({ line: null, key: null, message: '{"code":7}' });
    expect(toErrorObject(12)).toEqual({ line: null, key: null, message: '12' });
  });
});

/** Every string and key in a value, walked without recursion (outputs are small). */
function everyString(value: unknown): string[] {
  const found: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') found.push(item);
    else if (Array.isArray(item)) stack.push(...item);
    else if (typeof item === 'object' && item !== null) for (const [key, v] of Object.entries(item)) stack.push(key, v);
  }
  return found;
}

function expectSound(parsed: ParsedResult): void {
  expect(OutcomeResultSchema.safeParse(parsed.result).success).toBe(true);
  expect(everyString(parsed.result).filter((s) => !isSendableText(s))).toEqual([]);
  expect(() => JSON.stringify(parsed)).not.toThrow();
}

/** Small budgets, so generated inputs cross every one of them in a few milliseconds. */
const tight: ParseLimits = {
  ...ResultParseLimits,
  maxNodes: 500,
  maxDepth: 8,
  maxScanChars: 4096,
  maxDataChars: 2048,
  maxTextChars: 512,
  maxErrorObjects: 20,
  maxErrorMessageChars: 64,
  maxFollowUpJobIds: 3,
};

// The pieces hostile results are made of (issue 11): runs of digits and whitespace, the
// prefixes the patterns look for, lone surrogates, non-characters and control characters.
const piece = fc.constantFrom(
  '1',
  '9',
  ' ',
  '\t',
  '\n',
  '.',
  'Line 1. Key: ',
  'Key: ',
  'can be tracked using jobs API: ',
  'Error count: ',
  '[Succeeded: ',
  ' object(s) received',
  ' new events ingested',
  'Upserted ',
  '\uD800',
  '\uDFFF',
  '\uFFFE',
  '\uFFFF',
  '\u0000',
  '\u001B',
  'é',
  '😀',
);
const hostileString = fc
  .array(fc.tuple(piece, fc.integer({ min: 1, max: 1000 })), { maxLength: 10 })
  .map((runs) => runs.map(([text, times]) => text.repeat(times)).join(''));
const hostileResult = fc.oneof(
  hostileString,
  hostileString.map((text) => JSON.stringify({ error: text, error_objects: [text, text.slice(0, 100)] })),
  fc.array(hostileString, { maxLength: 8 }).map((list) => JSON.stringify(list)),
  fc.array(hostileString, { maxLength: 8 }).map((list) => ({ error_objects: list, number_received: list.length })),
  fc.integer({ min: 0, max: 3000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.integer({ min: 0, max: 3000 }).map((n) => Array.from({ length: n }, (_, i) => ({ errors: [`Line ${i}. Key: k. m`] }))),
);

describe('parseResult under hostile input', () => {
  it('never throws, stays within the contract and emits only sendable text, at its limits', () => {
    fc.assert(
      fc.property(hostileResult, (raw) => {
        expectSound(parseResult(raw, tight));
      }),
      { numRuns: 150 },
    );
  });

  it('says truncated whenever an input crosses a budget', () => {
    const crossing = fc.oneof(
      fc.integer({ min: tight.maxNodes, max: 3 * tight.maxNodes }).map((n) => Array.from({ length: n }, () => 1)),
      fc.integer({ min: tight.maxScanChars + 1, max: 4 * tight.maxScanChars }).map((n) => 'x'.repeat(n)),
      fc.integer({ min: tight.maxErrorObjects + 1, max: 200 }).map((n) => ({ error_objects: Array.from({ length: n }, () => 'x') })),
      fc.integer({ min: tight.maxDepth + 1, max: 100 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
      fc.integer({ min: tight.maxFollowUpJobIds + 1, max: 20 }).map((n) => Array.from({ length: n }, (_, i) => `can be tracked using jobs API: ${i + 1}`)),
    );
    fc.assert(
      fc.property(crossing, (raw) => {
        const parsed = parseResult(raw, tight);
        expect(parsed.result.truncated).toBe(true);
        expectSound(parsed);
      }),
      { numRuns: 100 },
    );
  });

  it('reads a result of a million values up to its node budget, counting every error object', () => {
    const errors = Array.from({ length: 1_000_000 }, () => 'Line 1. Key: k. m');
    const { result } = parseResult({ error_objects: errors });
    expect(result.errorObjectCount).toBe(1_000_000);
    expect(result.errorObjects).toHaveLength(ResultParseLimits.maxErrorObjects);
    expect(result.truncated).toBe(true);
    expect(JSON.stringify(result.data).length).toBeLessThanOrEqual(ResultParseLimits.maxDataChars);
  });

  it('reads megabyte strings of digits, whitespace and Line N. Key: prefixes without stalling', () => {
    const megabyte = 1_000_000;
    const raw = JSON.stringify({
      error: '1'.repeat(megabyte),
      error_objects: [`Line 1. Key: ${' '.repeat(megabyte)}x\n. y`, 'Line 1. Key: '.repeat(megabyte / 13), `can be tracked using jobs API${' '.repeat(megabyte)}`],
    });
    const parsed = parseResult(raw);
    expect(parsed.result.errorObjectCount).toBe(3);
    expect(parsed.result.truncated).toBe(true);
    expectSound(parsed);
  });

  it('keeps lone surrogates and non-characters out of everything it emits', () => {
    const bad = 'a\uD800b\uFFFEc\uFFFF\u0000';
    const parsed = parseResult(JSON.stringify({ [bad]: bad, error: bad, error_objects: [`Line 1. Key: ${bad}. ${bad}`] }));
    expect(parsed.result.error).toBe('a\uFFFDb\uFFFDc\uFFFD\uFFFD');
    expect(parsed.result.errorObjects[0]).toEqual({ line: 1, key: 'a\uFFFDb\uFFFDc\uFFFD\uFFFD', message: 'a\uFFFDb\uFFFDc\uFFFD\uFFFD' });
    expectSound(parsed);
  });

  it('keeps a "__proto__" key as data', () => {
    const { result } = parseResult('{"__proto__": {"polluted": true}}');
    expect(Object.keys(result.data as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('returns an empty, truncated result with the reason when reading fails', () => {
    const hostile = {
      get error_objects(): never {
        throw new Error('getter says no');
      },
    };
    const { result, followUpJobIds } = parseResult(hostile);
    expect(result).toMatchObject({ truncated: true, parseError: 'the result could not be read: Error: getter says no', data: null });
    expect(followUpJobIds).toEqual([]);
    expect(OutcomeResultSchema.safeParse(result).success).toBe(true);
  });
});

describe('parseResult and the JSON value budget', () => {
  it('reads a result with more values than the budget as text, not decoded, and says why', () => {
    const raw = `[${Array.from({ length: 200 }, () => '{}').join(',')}] 3 new events ingested`;
    const { result } = parseResult(`${raw}`, { ...ResultParseLimits, maxJsonValues: 100 });
    expect(result).toMatchObject({
      data: null,
      truncated: true,
      parseError: 'the result holds more than 100 JSON values: read as text, not decoded',
      newEventsIngested: 3,
    });
  });
});
