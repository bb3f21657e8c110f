import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseResult, toErrorObject } from '../../shared/alation/parse-result';
import { ResultParseLimits } from '../../shared/alation/parse-limits';
import { OutcomeResultSchema } from '../../shared/contracts/outcome';

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
      { numRuns: 1000 },
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
