import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseJobReferenceBody,
  serializeJobReference,
  validateJobReference,
} from '../../shared/contracts/job-reference';
import { JobReferenceLimits } from '../../shared/contracts/limits';
import { InvalidJobReferenceError } from '../../shared/errors';
import { watchState } from '../support/factories';

const parse = (body: unknown) => parseJobReferenceBody(JSON.stringify(body));
const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidJobReferenceError);
    return (error as InvalidJobReferenceError).issues.map((i) => `${i.field}: ${i.problem}`);
  }
  throw new Error('expected the reference to be rejected');
};

describe('job reference v1', () => {
  it('accepts an integer jobId', () => {
    expect(parse({ jobId: 7637 })).toEqual({ job: { id: 7637 }, kind: null, context: null, watch: null });
  });

  it('accepts a jobId given as a string of digits', () => {
    expect(parse({ jobId: '42' }).job).toEqual({ id: 42 });
  });

  it("accepts Alation's own field names job_id and job_name", () => {
    expect(parse({ job_id: 3 }).job).toEqual({ id: 3 });
    expect(parse({ job_name: 'bulk_api_job_2017' }).job).toEqual({ name: 'bulk_api_job_2017' });
  });

  it('keeps a job name with # as it is', () => {
    expect(parse({ jobName: 'MetadataExtraction#1_2017-10-05' }).job).toEqual({ name: 'MetadataExtraction#1_2017-10-05' });
  });

  it('decodes an already percent-encoded job name exactly once', () => {
    expect(parse({ jobName: 'MetadataExtraction%231_2017-10-05' }).job).toEqual({ name: 'MetadataExtraction#1_2017-10-05' });
  });

  it('does not decode a name that already holds a #', () => {
    expect(parse({ jobName: 'A#1%23b' }).job).toEqual({ name: 'A#1%23b' });
  });

  it('keeps a name whose % is not valid percent-encoding', () => {
    expect(parse({ jobName: 'load 100%2' }).job).toEqual({ name: 'load 100%2' });
    expect(parse({ jobName: 'bad%E0%A4%A' }).job).toEqual({ name: 'bad%E0%A4%A' });
  });

  it("never decodes the watcher's own re-sends again (a name decoded once stays the same job)", () => {
    const first = parse({ jobName: 'Job%2523x_1' });
    expect(first.job).toEqual({ name: 'Job%23x_1' });
    const resent = parseJobReferenceBody(serializeJobReference({ ...first, watch: watchState() }));
    expect(resent.job).toEqual({ name: 'Job%23x_1' });
  });

  it('keeps a name that would decode to control characters', () => {
    expect(parse({ jobName: 'Job%0Ax_1' }).job).toEqual({ name: 'Job%0Ax_1' });
  });

  it('passes kind, context and watch state through', () => {
    const watch = watchState({ polls: 3 });
    const parsed = parse({ version: 1, jobId: 1, kind: 'lineage', context: { upload: 'u-1', n: [1] }, watch });
    expect(parsed).toEqual({ job: { id: 1 }, kind: 'lineage', context: { upload: 'u-1', n: [1] }, watch });
  });

  it('round-trips through serializeJobReference with canonical field names', () => {
    const reference = parse({ job_name: 'X%231', kind: 'k', context: { a: 1 } });
    const body = serializeJobReference(reference);
    expect(JSON.parse(body)).toEqual({ version: 1, jobName: 'X#1', kind: 'k', context: { a: 1 } });
    expect(parseJobReferenceBody(body)).toEqual(reference);
  });

  it.each([
    ['an empty body', '', '(body): is empty'],
    ['a body that is not JSON', '{jobId: 1', '(body): is not JSON'],
    ['a JSON array', '[1]', '(body): must be a JSON object, got an array'],
    ['JSON null', 'null', '(body): must be a JSON object, got null'],
  ])('rejects %s', (_what, body, problem) => {
    expect(problemsOf(() => parseJobReferenceBody(body)).join()).toContain(problem);
  });

  it('rejects a body over the size limit before parsing it', () => {
    const body = JSON.stringify({ jobId: 1, kind: 'x'.repeat(JobReferenceLimits.maxBodyBytes) });
    expect(problemsOf(() => parseJobReferenceBody(body))).toEqual([
      `(body): is ${body.length} bytes; the limit is ${JobReferenceLimits.maxBodyBytes}`,
    ]);
  });

  it.each([
    [{}, '(body): one of jobId, jobName (or job_id, job_name) is required'],
    [{ jobId: 1, jobName: 'a' }, '(body): exactly one job identifier is allowed, got jobId and jobName'],
    [{ jobId: 1, job_id: 1 }, '(body): exactly one job identifier is allowed, got jobId and job_id'],
    [{ jobId: -1 }, 'jobId: must be a positive integer (a number, or a string of digits)'],
    [{ jobId: 1.5 }, 'jobId: must be a positive integer (a number, or a string of digits)'],
    [{ jobId: '01' }, 'jobId: must be a positive integer (a number, or a string of digits)'],
    [{ jobId: true }, 'jobId: must be a positive integer (a number, or a string of digits)'],
    [{ jobId: '9999999999999999' }, 'jobId: must be a positive integer (a number, or a string of digits)'],
    [{ jobId: 1, kind: 'lin\u0000eage' }, 'kind: must not contain control characters'],
    [{ jobName: '' }, 'jobName: must not be empty'],
    [{ jobName: '   ' }, 'jobName: must not be blank'],
    [{ jobName: 'a\u0000b' }, 'jobName: must not contain control characters'],
    [{ jobName: 12 }, 'jobName: must be a string'],
    [{ jobName: 'x'.repeat(1025) }, 'jobName: must be at most 1024 characters'],
    [{ jobId: 1, kind: 5 }, 'kind: must be a string'],
    [{ jobId: 1, context: [1] }, 'context: must be a JSON object'],
    [{ jobId: 1, context: 'x' }, 'context: must be a JSON object'],
    [{ jobId: 1, jobid: 2 }, '(body): unknown field "jobid"'],
    [{ jobId: 1, version: 2 }, 'version: must be 1'],
    [{ jobId: 1, watch: { polls: -1 } }, 'watch.polls'],
    [{ jobName: 'a\uD800b' }, 'jobName: must be well-formed text without U+FFFE or U+FFFF'],
    [{ jobName: 'a\uFFFFb' }, 'jobName: must be well-formed text without U+FFFE or U+FFFF'],
    [{ jobId: 1, kind: '\uDBFF' }, 'kind: must be well-formed text without U+FFFE or U+FFFF'],
    [{ jobName: 'Job\u2028Status: successful' }, 'jobName: must not contain line separators or bidirectional controls'],
    [{ jobName: 'Job\u2029x' }, 'jobName: must not contain line separators'],
    [{ jobName: 'invoice_\u202Efdp.exe' }, 'jobName: must not contain line separators or bidirectional controls'],
    [{ jobId: 1, kind: 'a\u2066b\u2069' }, 'kind: must not contain line separators or bidirectional controls'],
    [{ jobId: 1, kind: 'a\u202Ab' }, 'kind: must not contain line separators'],
    [{ jobName: 'a\u0085b' }, 'jobName: must not contain control characters'],
    [{ jobId: 1, context: { note: 'x\uFFFE' } }, 'context.note: must be well-formed text'],
    [{ jobId: 1, context: { list: [{ deep: '\uDC00' }] } }, 'context.list.0.deep: must be well-formed text'],
    [{ jobId: 1, seal: 'x'.repeat(129) }, 'seal'],
  ])('rejects %j, naming the field', (body, problem) => {
    expect(problemsOf(() => parse(body)).join('; ')).toContain(problem);
  });

  it('rejects a context over the documented size limit', () => {
    const context = { blob: 'x'.repeat(JobReferenceLimits.maxContextBytes) };
    expect(problemsOf(() => validateJobReference({ jobId: 1, context }))).toEqual([
      `context: must serialize to at most ${JobReferenceLimits.maxContextBytes} bytes`,
    ]);
  });

  it('rejects a context that JSON cannot hold instead of throwing', () => {
    const context: Record<string, unknown> = {};
    context.self = context;
    expect(problemsOf(() => validateJobReference({ jobId: 1, context }))[0]).toMatch(/^context: must serialize/);
  });

  it('reports every bad field at once', () => {
    expect(problemsOf(() => parse({ jobId: 0, kind: 1, extra: true }))).toHaveLength(3);
  });

  it('never throws anything but InvalidJobReferenceError, whatever the body', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (body) => {
        try {
          const parsed = parseJobReferenceBody(body);
          expect('id' in parsed.job || 'name' in parsed.job).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidJobReferenceError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every well-formed reference and keeps its identifier', () => {
    const identifier = fc.oneof(
      fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map((jobId) => ({ jobId })),
      fc
        .string({ minLength: 1, maxLength: 200 })
        .filter((s) => s.trim() !== '' && !/[\u0000-\u001f\u007f-\u009f%]/.test(s))
        .map((jobName) => ({ jobName })),
    );
    fc.assert(
      fc.property(identifier, fc.option(fc.string({ maxLength: 50 }), { nil: undefined }), (id, kind) => {
        const parsed = parse({ ...id, ...(kind !== undefined && { kind }) });
        expect(parsed.job).toEqual('jobId' in id ? { id: id.jobId } : { name: id.jobName });
        expect(parsed.kind).toBe(kind ?? null);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a percent-encoded name that would decode to a character no name may hold', () => {
    expect(parse({ jobName: 'Job%E2%80%AEx' }).job).toEqual({ name: 'Job%E2%80%AEx' });
    expect(parse({ jobName: 'Job%EF%BF%BEx' }).job).toEqual({ name: 'Job%EF%BF%BEx' });
    expect(parse({ jobName: 'Job%E2%80%A8x' }).job).toEqual({ name: 'Job%E2%80%A8x' });
  });

  it('never lets a name that encodeURIComponent cannot encode through', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (name) => {
        try {
          const { job } = parse({ jobName: name });
          expect(() => encodeURIComponent((job as { name: string }).name)).not.toThrow();
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidJobReferenceError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('reads a context nested deeper than the call stack would allow, without throwing', () => {
    let deep: unknown = 'x\uFFFE';
    for (let i = 0; i < 3000; i++) deep = [deep];
    const problems = problemsOf(() => validateJobReference({ jobId: 1, context: { deep } }));
    expect(problems.join()).toMatch(/context\.deep(\.0)+: must be well-formed text/);
  });
});
