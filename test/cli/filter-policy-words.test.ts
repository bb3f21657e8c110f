import { describe, expect, it } from 'vitest';
import { describeFilterPolicy } from '../../shared/cli/filter-policy-words';

describe('describeFilterPolicy', () => {
  it.each([
    [undefined, undefined, 'every outcome (no filter policy)'],
    ['{"status":["failed"]}', undefined, 'only outcomes where status is failed'],
    ['{"status":["failed","timed_out"],"kind":["qli"]}', undefined, 'only outcomes where status is failed or is timed_out, and kind is qli'],
    ['{"hasErrors":["true"],"test":[{"exists":false}]}', undefined, 'only outcomes where hasErrors is true, and test is absent'],
    ['{"kind":[{"prefix":"lin"}],"status":[{"anything-but":["successful"]}]}', undefined, 'only outcomes where kind starts with "lin", and status is anything but "successful"'],
    ['{"result":{"errorObjectCount":[{"numeric":[">",0]}]}}', 'MessageBody', 'only outcomes where result.errorObjectCount is > 0 (on the message body)'],
    ['{"$or":[{"status":["failed"]},{"hasErrors":["true"]}]}', undefined, 'only outcomes where either (status is failed) or (hasErrors is true)'],
    ['{"status":[{"wildcard":"fail*"}]}', undefined, 'only outcomes where status {"wildcard":"fail*"}'],
    ['not json', undefined, 'a filter policy that is not JSON: not json'],
  ])('reads %s as "%s"', (policy, scope, words) => {
    expect(describeFilterPolicy(policy, scope)).toBe(words);
  });

  it('cuts a huge policy instead of printing it whole', () => {
    const policy = JSON.stringify({ kind: Array.from({ length: 500 }, (_, i) => `kind-${i}`) });

    expect(describeFilterPolicy(policy).length).toBeLessThanOrEqual(601);
  });
});
