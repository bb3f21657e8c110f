import { describe, expect, it } from 'vitest';
import { readOutcomeMessage } from '../../shared/contracts/read-outcome';
import { buildNotification, MAX_NOTIFICATION_BYTES } from '../../shared/notify/notification';
import { outcomeEmailText } from '../../shared/notify/email-text';
import { outcomeSubject } from '../../shared/notify/subject';
import { outcome } from '../support/outcomes';

describe('buildNotification', () => {
  it('sends JSON by default and readable text to email, with filterable attributes', () => {
    const o = outcome();
    const n = buildNotification(o);
    const structure = JSON.parse(n.Message);

    expect(n.MessageStructure).toBe('json');
    expect(Object.keys(structure)).toEqual(['default', 'email']);
    expect(JSON.parse(structure.default)).toEqual(o);
    expect(structure.email).toBe(outcomeEmailText(o));
    expect(n.MessageAttributes).toEqual({
      status: { DataType: 'String', StringValue: 'successful' },
      hasErrors: { DataType: 'String', StringValue: 'true' },
      kind: { DataType: 'String', StringValue: 'lineage' },
      followUp: { DataType: 'String', StringValue: 'false' },
      chain: { DataType: 'String', StringValue: 'false' },
    });
  });

  it('leaves out the kind attribute when the kind is unknown', () => {
    expect(buildNotification(outcome({ kind: null })).MessageAttributes.kind).toBeUndefined();
  });

  it('trims a huge outcome under the SNS limit, keeping the error count', () => {
    const errorObjects = Array.from({ length: 20_000 }, (_, i) => ({ line: i, key: `schema_${i}`, message: 'Datasource id in key does not match the id in the request' }));
    const big = outcome({ result: { ...outcome().result, errorObjects, errorObjectCount: 20_000, data: { error_objects: errorObjects } } });
    const n = buildNotification(big);

    expect(Buffer.byteLength(n.Message) + Buffer.byteLength(n.Subject)).toBeLessThanOrEqual(MAX_NOTIFICATION_BYTES);
    expect(n.outcome.result.truncated).toBe(true);
    expect(n.outcome.result.data).toBeNull();
    expect(n.outcome.result.errorObjectCount).toBe(20_000);
    expect(n.outcome.result.errorObjects.length).toBeGreaterThan(100);
    expect(n.outcome.result.errorObjects.length).toBeLessThan(20_000);
    expect(n.outcome.result.errorObjects[0]).toEqual(errorObjects[0]);
  });

  it('fits an outcome whose error text and follow-up list alone exceed the limit', () => {
    const base = outcome();
    const huge = {
      ...base,
      status: 'failed' as const,
      message: '"'.repeat(100_000),
      followUpJobIds: Array.from({ length: 40_000 }, (_, i) => i + 1),
      result: { ...base.result, error: '"'.repeat(200_000) },
    };
    const n = buildNotification(huge);
    expect(Buffer.byteLength(n.Message) + Buffer.byteLength(n.Subject)).toBeLessThanOrEqual(MAX_NOTIFICATION_BYTES);
    expect(n.outcome.result.truncated).toBe(true);
    expect(n.outcome.status).toBe('failed');
  });

  it('leaves an outcome that fits untouched', () => {
    expect(buildNotification(outcome()).outcome.result.truncated).toBe(false);
  });

  it('round-trips through readOutcomeMessage, however it is wrapped', () => {
    const o = outcome();
    const n = buildNotification(o);
    const defaultText = JSON.parse(n.Message).default;
    expect(readOutcomeMessage(defaultText)).toEqual(o);
    expect(readOutcomeMessage(n.Message)).toEqual(o);
    expect(readOutcomeMessage(JSON.stringify({ Type: 'Notification', Message: defaultText }))).toEqual(o);
    expect(() => readOutcomeMessage('{"hello": 1}')).toThrow('not an alation.job-outcome/v1 message');
  });
});

describe('outcomeSubject', () => {
  it('says job, status and counts under 100 characters', () => {
    const subject = outcomeSubject(outcome());
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^Alation job MetadataExtraction#1_2017-10-05-.*~.* successful: 1 error, 1 updated$/);
  });

  it('keeps short names whole', () => {
    expect(outcomeSubject(outcome({ job: { id: 42 }, status: 'failed', result: { ...outcome().result, errorObjectCount: 0, errorsIgnored: 0, updatedObjects: null } }))).toBe(
      'Alation job #42 failed',
    );
  });

  it('keeps the job recognisable when the counts summary is long', () => {
    const base = outcome();
    const subject = outcomeSubject({
      ...base,
      status: 'timed_out',
      polls: 123456789,
      result: { ...base.result, errorObjectCount: 123456789, updatedObjects: 987654321, newEventsIngested: 123456789 },
    });
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^Alation job MetadataExtrac~[0-9a-f]+ timed out: /);
  });

  it('replaces characters SNS refuses in a subject', () => {
    const subject = outcomeSubject(outcome({ job: { name: 'Lädt\nneu' } }));
    expect(subject).toMatch(/^Alation job L\?dt \? neu successful/); // the line break shown as one mark
  });
});

describe('outcomeEmailText', () => {
  it('reads as a summary a person can act on', () => {
    const text = outcomeEmailText(outcome());
    expect(text).toContain('Alation job MetadataExtraction#1_2017-10-05-19-36-45-431906-00-00-4ea1dc02-1c9f-41db-be6f-3f7cb1849da3 (lineage): finished successfully, with errors');
    expect(text).toContain('Counts:           1 updated, 2 received, 1 errors ignored');
    expect(text).toContain('Error objects (1):\n  - line 1, key schema_b: Datasource id in key does not match the id in the request');
  });
});
