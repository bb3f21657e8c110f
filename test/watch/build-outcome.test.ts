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
});
