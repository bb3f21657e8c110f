import { describe, expect, it } from 'vitest';
import { OutcomeSchema } from '../../shared/contracts/outcome';
import { buildVerdictOutcome, chainVerdict, publishKey, verdictNotificationId, worstStatus, type ChainMemberState } from '../../shared/watch/chain';
import { jobRef } from '../support/factories';
import { outcome } from '../support/outcomes';

const member = (id: number, status: ChainMemberState['end'] extends infer E ? (E extends { status: infer S } ? S : never) | null : never, depth = id < 10 ? 0 : 1): ChainMemberState => ({
  job: { id },
  depth,
  parent: depth === 0 ? null : { id: Math.floor(id / 10) },
  enqueued: depth > 0,
  published: status !== null,
  end:
    status === null
      ? null
      : { job: { id }, status, hasErrors: status !== 'successful', notificationId: `n-${id}`, depth, parent: depth === 0 ? null : { id: Math.floor(id / 10) }, polls: 2, firstSeenAt: `2026-01-01T00:00:0${depth}.000Z` },
});

describe('the chain verdict', () => {
  it.each([
    [['successful', 'successful'], 'successful'],
    [['successful', 'partially_successful'], 'partially_successful'],
    [['partially_successful', 'timed_out'], 'timed_out'],
    [['timed_out', 'not_found'], 'not_found'],
    [['not_found', 'failed', 'successful'], 'failed'],
  ] as const)('of %j is %s, the worst', (statuses, worst) => {
    expect(worstStatus([...statuses])).toBe(worst);
  });

  it('waits while any job of the chain is watched', () => {
    expect(chainVerdict({ members: [member(7, 'successful'), member(70, null)] })).toBeUndefined();
    expect(chainVerdict({ members: [member(7, 'successful')] })).toBeUndefined();
  });

  it('lists every job, root first, once all have ended', () => {
    const verdict = chainVerdict({ members: [member(71, 'successful'), member(7, 'successful'), member(70, 'failed')] });
    expect(verdict).toEqual({
      status: 'failed',
      jobs: [
        { job: { id: 7 }, status: 'successful', hasErrors: false, notificationId: 'n-7', depth: 0, parent: null },
        { job: { id: 70 }, status: 'failed', hasErrors: true, notificationId: 'n-70', depth: 1, parent: { id: 7 } },
        { job: { id: 71 }, status: 'successful', hasErrors: false, notificationId: 'n-71', depth: 1, parent: { id: 7 } },
      ],
    });
  });

  it('is at least partially_successful, with errors, when a job named follow-ups the chain does not watch', () => {
    const child = member(70, 'successful');
    const state = { members: [member(7, 'successful'), { ...child, end: { ...child.end!, unwatchedFollowUps: true } }] };
    const verdict = chainVerdict(state)!;
    expect(verdict.status).toBe('partially_successful');
    expect(verdict.jobs.map((j) => j.status)).toEqual(['successful', 'successful']);
    const published = buildVerdictOutcome({ root: { id: 7 }, verdict, state, reference: jobRef({ job: { id: 70 } }), publishedAt: new Date('2026-01-01T00:01:00Z') });
    expect(published.hasErrors).toBe(true);
  });

  it("is published as a valid v1 outcome of the root, keyed apart from the root's own outcome", () => {
    const state = { members: [member(7, 'successful'), member(70, 'successful')] };
    const verdict = chainVerdict(state)!;
    const reference = jobRef({ job: { id: 70 }, kind: 'custom-field-values', context: { upload: 'u' } });
    const published = buildVerdictOutcome({ root: { id: 7 }, verdict, state, reference, publishedAt: new Date('2026-01-01T00:01:00Z') });

    expect(OutcomeSchema.parse(published)).toEqual(published);
    expect(published).toMatchObject({
      job: { id: 7 },
      kind: 'custom-field-values',
      context: { upload: 'u' },
      status: 'successful',
      hasErrors: false,
      polls: 4,
      firstSeenAt: '2026-01-01T00:00:00.000Z',
      notificationId: verdictNotificationId({ id: 7 }, 'successful'),
      chain: verdict,
    });
    expect(publishKey(published)).toBe('chain#id:7');
    expect(publishKey(outcome({ job: { id: 7 } }))).toBe('id:7');
  });
});
