import { describe, expect, it } from 'vitest';
import { OutcomeSchema } from '../../shared/contracts/outcome';
import { buildOutcome, notificationId } from '../../shared/watch/build-outcome';
import { referenceIdExample, referenceNameExample, statusResponse } from '../support/alation-responses';
import { jobRef, watchState } from '../support/factories';

const publishedAt = new Date('2026-01-01T00:05:00Z');

describe('buildOutcome', () => {
  it("turns the reference page's name example into counts, an error object and hasErrors", () => {
    const reference = jobRef({
      job: { name: 'MetadataExtraction#1_2017-10-05-19-36-45-431906-00-00-4ea1dc02-1c9f-41db-be6f-3f7cb1849da3' },
      kind: 'update-technical-metadata',
      context: { uploadId: 'u-17' },
    });
    const outcome = buildOutcome({
      reference,
      status: 'successful',
      response: referenceNameExample(),
      watch: watchState({ polls: 3, lastStatus: 'successful' }),
      publishedAt,
    });
    expect(outcome).toEqual({
      schema: 'alation.job-outcome/v1',
      notificationId: notificationId(reference, 'successful'),
      job: { name: 'MetadataExtraction#1_2017-10-05-19-36-45-431906-00-00-4ea1dc02-1c9f-41db-be6f-3f7cb1849da3' },
      kind: 'update-technical-metadata',
      context: { uploadId: 'u-17' },
      status: 'successful',
      hasErrors: true,
      message: 'Job finished in 2.0 seconds at 2017-10-05 19:36:48.374593+00:00',
      durationSeconds: 2,
      finishedAt: '2017-10-05T19:36:48.374Z',
      result: {
        updatedObjects: 1,
        numberReceived: 2,
        createdCount: null,
        failedCount: null,
        errorObjects: [{ line: 1, key: 'schema_b', message: 'Datasource id in key does not match the id in the request' }],
        errorObjectCount: 1,
        errorsIgnored: 1,
        error: null,
        newEventsIngested: null,
        previouslyIngestedSkipped: null,
        text: null,
        data: {
          updated_objects: 1,
          number_received: 2,
          error_objects: ['Line 1. Key: schema_b. Datasource id in key does not match the id in the request'],
          error: '1 errors were ignored',
        },
        truncated: false,
        parseError: null,
      },
      followUpJobIds: [],
      polls: 3,
      firstSeenAt: '2026-01-01T00:00:00.000Z',
      publishedAt: '2026-01-01T00:05:00.000Z',
      lastStatus: 'successful',
      lastError: null,
      parent: null,
      followUpsWatched: false,
    });
    expect(OutcomeSchema.parse(outcome)).toEqual(outcome);
  });

  it("turns the reference page's id example into query-log counts without errors", () => {
    const outcome = buildOutcome({
      reference: jobRef({ job: { id: 1 } }),
      status: 'successful',
      response: referenceIdExample(),
      watch: watchState(),
      publishedAt,
    });
    expect(outcome.job).toEqual({ id: 1 });
    expect(outcome.result).toMatchObject({ newEventsIngested: 0, previouslyIngestedSkipped: 1, updatedObjects: null });
    expect(outcome.hasErrors).toBe(false);
    expect(outcome.durationSeconds).toBe(0.585993);
  });

  it('marks a clean success as having no errors', () => {
    const outcome = buildOutcome({ reference: jobRef(), status: 'successful', response: statusResponse('successful'), watch: watchState(), publishedAt });
    expect(outcome.hasErrors).toBe(false);
  });

  it.each(['failed', 'partially_successful', 'timed_out', 'not_found'] as const)('marks %s as having errors', (status) => {
    const outcome = buildOutcome({ reference: jobRef(), status, response: null, watch: watchState(), publishedAt });
    expect(outcome.hasErrors).toBe(true);
    expect(OutcomeSchema.safeParse(outcome).success).toBe(true);
  });

  it('keeps the last error of a job that timed out', () => {
    const lastError = { errorClass: 'server_error', message: 'job status id 1: Alation answered HTTP 503' };
    const outcome = buildOutcome({
      reference: jobRef(),
      status: 'timed_out',
      response: statusResponse('running'),
      watch: watchState({ polls: 40, lastError }),
      publishedAt,
    });
    expect(outcome).toMatchObject({ status: 'timed_out', lastStatus: 'running', lastError, message: null, polls: 40 });
  });

  it('gives one notification id per job and status', () => {
    expect(notificationId(jobRef({ job: { id: 1 } }), 'failed')).toBe(notificationId(jobRef({ job: { id: 1 } }), 'failed'));
    expect(notificationId(jobRef({ job: { id: 1 } }), 'failed')).not.toBe(notificationId(jobRef({ job: { id: 2 } }), 'failed'));
    expect(notificationId(jobRef({ job: { id: 1 } }), 'failed')).not.toBe(notificationId(jobRef({ job: { name: '1' } }), 'failed'));
  });

  it.each([
    ['a stated failure count', { ...statusResponse('successful'), result: ['[Succeeded: 0, Failed: 2, Total: 2]'] }],
    ['a stated error count', { ...statusResponse('successful'), result: 'Updated values count: 1. Error count: 3' }],
  ])('marks a successful job with %s as having errors', (_, response) => {
    const outcome = buildOutcome({ reference: jobRef(), status: 'successful', response, watch: watchState(), publishedAt });
    expect(outcome.hasErrors).toBe(true);
    expect(outcome.result.failedCount).toBeGreaterThan(0);
  });

  it('publishes the true status, with the reason, when reading the result fails', () => {
    const parseResult = () => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    const outcome = buildOutcome(
      { reference: jobRef(), status: 'failed', response: { status: 'failed', msg: 'Job finished in 1.0 seconds at 2017-01-12 23:52:34.307327+00:00', result: '[]' }, watch: watchState(), publishedAt },
      { parseResult },
    );
    expect(outcome).toMatchObject({
      status: 'failed',
      hasErrors: true,
      durationSeconds: 1,
      result: { truncated: true, parseError: 'the result could not be read: RangeError: Maximum call stack size exceeded' },
    });
    expect(OutcomeSchema.safeParse(outcome).success).toBe(true);
  });

  it('publishes the true status of an answer too large to decode, its result unread and hasErrors true, even when successful', () => {
    const parseResult = () => {
      throw new Error('the omitted result must not be parsed');
    };
    const outcome = buildOutcome(
      {
        reference: jobRef(),
        status: 'successful',
        response: {
          status: 'successful',
          msg: 'Job finished in 812.0 seconds at 2026-01-01 00:00:00+00:00',
          result: null,
          resultOmitted: { reason: 'the answer is 6291456 bytes, more than the 4194304 decoded whole', bytes: 6291456 },
        },
        watch: watchState(),
        publishedAt,
      },
      { parseResult },
    );
    expect(outcome).toMatchObject({
      status: 'successful',
      // Not "no errors": nothing of the result was read (hasErrors is false only when parseError is null).
      hasErrors: true,
      message: 'Job finished in 812.0 seconds at 2026-01-01 00:00:00+00:00',
      durationSeconds: 812,
      followUpJobIds: [],
      result: {
        errorObjectCount: 0,
        data: null,
        truncated: true,
        parseError:
          'the result was not read: the answer is 6291456 bytes, more than the 4194304 decoded whole; only the answer\'s "status" and "msg" were',
      },
    });
    expect(OutcomeSchema.safeParse(outcome).success).toBe(true);
  });

  it('publishes the true status, with the reason, when building the outcome fails for any other reason', () => {
    const context = {
      get uploadId(): never {
        throw new TypeError('context getter says no');
      },
    };
    const outcome = buildOutcome({
      reference: jobRef({ context }),
      status: 'successful',
      response: statusResponse('successful'),
      watch: watchState({ polls: 4 }),
      publishedAt,
    });
    expect(outcome).toMatchObject({
      status: 'successful',
      hasErrors: true,
      context: null,
      polls: 4,
      notificationId: notificationId(jobRef(), 'successful'),
      result: { parseError: 'the outcome could not be built: TypeError: context getter says no' },
    });
    expect(OutcomeSchema.safeParse(outcome).success).toBe(true);
  });

  it('counts the watch from the publish time when the remembered first sighting is not a date', () => {
    const outcome = buildOutcome({ reference: jobRef(), status: 'timed_out', response: null, watch: watchState({ firstSeenAt: 'not a date' }), publishedAt });
    expect(outcome.firstSeenAt).toBe(publishedAt.toISOString());
  });

  it('passes on a message Alation sent with characters SNS refuses, replaced', () => {
    const outcome = buildOutcome({
      reference: jobRef(),
      status: 'failed',
      response: { status: 'failed', msg: 'broken \uD800 \uFFFF', result: null },
      watch: watchState(),
      publishedAt,
    });
    expect(outcome.message).toBe('broken \uFFFD \uFFFD');
  });
});

