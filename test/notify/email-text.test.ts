import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeEmailText } from '../../shared/notify/email-text';
import { outcomeSubject } from '../../shared/notify/subject';
import { outcome } from '../support/outcomes';

/** The lines the email itself writes at column 0: the headline, the labels, the section titles. */
const OWN_LINE = /^(Alation job |Status: |Alation says: |Finished at: |Watched: |Counts: |Error: |Result unread: |Last check error: |Follow-up jobs: |Error objects \(\d+\):$|Result:$|Context: |Notification id: )/;

const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\n', '\r\n', '\u2028', '\u2029', '\u0085', '\u000B', '\u001B[31m', '\u202E', '\u2066', '\u0000', '\u009B'),
    fc.constantFrom('Status: successful', 'Error objects (0):', 'Result:', 'Notification id: forged'),
    fc.string({ maxLength: 6 }),
  ),
  maxLength: 40,
});

const BIDI_OR_CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

describe('outcomeEmailText under hostile text', () => {
  it('does not let a line break in Alation’s msg write a fake Status line into a failed job’s email', () => {
    const text = outcomeEmailText(outcome({ status: 'failed', message: 'oops\nStatus:           successful' }));
    expect(text.split('\n').filter((l) => l.startsWith('Status:'))).toEqual(['Status:           failed']);
    expect(text).toContain(`Alation says:     oops\n                  Status:           successful`);
  });

  it('never lets a value start a line of its own, nor carry a control or bidi character', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, hostile, (message, error, kind, name, resultText) => {
        const base = outcome({ status: 'failed' });
        const email = outcomeEmailText({
          ...base,
          job: { name: name || 'job' },
          kind: kind || null,
          message: message || null,
          result: {
            ...base.result,
            error: error || null,
            text: resultText || null,
            errorObjects: [{ line: 1, key: kind, message: error }],
            errorObjectCount: 1,
          },
          lastError: { errorClass: 'server_error', message },
          context: { note: message },
        });
        const lines = email.split('\n');
        const ownLines = lines.filter((l) => l !== '' && !l.startsWith(' '));
        return ownLines.every((l) => OWN_LINE.test(l)) && lines.filter((l) => l.startsWith('Status:')).length === 1 && !BIDI_OR_CONTROL.test(email.replace(/\n/g, ''));
      }),
      { numRuns: 500 },
    );
  });
});

describe('outcomeSubject under hostile job names', () => {
  it('is one line of printable ASCII under 100 characters, bidi controls dropped', () => {
    fc.assert(
      fc.property(hostile, (name) => {
        const subject = outcomeSubject(outcome({ job: { name: name || 'job' } }));
        return /^[\x20-\x7e]{1,99}$/.test(subject);
      }),
      { numRuns: 500 },
    );
    expect(outcomeSubject(outcome({ job: { name: 'report\u202Efdp.exe' } }))).toContain('reportfdp.exe');
  });
});
