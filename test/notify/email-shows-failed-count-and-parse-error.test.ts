import { describe, expect, it } from 'vitest';
import { outcomeEmailText } from '../../shared/notify/email-text';
import { outcomeSubject } from '../../shared/notify/subject';
import { outcome } from '../support/outcomes';

describe('an outcome whose result says some items failed or could not be read', () => {
  it('shows the failed count in the email counts and in the subject', () => {
    const base = outcome({ status: 'successful' });
    const sent = outcome({ status: 'successful', result: { ...base.result, failedCount: 2 } });
    expect(outcomeEmailText(sent)).toMatch(/^Counts: .*2 failed/m);
    expect(outcomeSubject(sent)).toMatch(/2 failed/);
  });

  it('shows why the result was not read in full', () => {
    const base = outcome({ status: 'successful' });
    const sent = outcome({ status: 'successful', result: { ...base.result, parseError: 'the result holds more than 250000 JSON values: read as text, not decoded' } });
    expect(outcomeEmailText(sent)).toMatch(/^Result unread: +the result holds more than 250000 JSON values/m);
  });

  it('shows neither when the result has neither', () => {
    const base = outcome({ status: 'successful' });
    const sent = outcome({ status: 'successful', result: { ...base.result, failedCount: undefined, parseError: null } });
    expect(outcomeEmailText(sent)).not.toMatch(/failed|Result unread/);
  });
});
