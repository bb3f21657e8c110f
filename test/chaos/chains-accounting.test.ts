/**
 * The chain accounting of the chaos suite must be able to fail: each way a run can get chains
 * wrong (no verdict, a verdict better than a published member, a verdict contradicting a
 * member's outcome, two different verdicts, a verdict where none is due, a follow-up with the
 * wrong parent) is caught, and a chain whose job is in the DLQ is left open, not failed.
 */
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../shared/contracts/outcome';
import { createRandom } from '../../shared/local/simulator/random';
import { accountChains, catalogue, chainProblems, chainWorkload, type PlannedChain } from './support/chains';

const root: PlannedChain = {
  rootKey: 'id:1',
  members: [
    { key: 'id:1', expected: 'successful', depth: 0, parentKey: null, ancestors: [], namesUnwatched: false },
    { key: 'id:100', expected: 'failed', depth: 1, parentKey: 'id:1', ancestors: ['id:1'], namesUnwatched: false },
  ],
  expectedVerdict: 'failed',
  unwatchedIds: [],
};
const lone: PlannedChain = { rootKey: 'id:2', members: [{ key: 'id:2', expected: 'successful', depth: 0, parentKey: null, ancestors: [], namesUnwatched: false }], expectedVerdict: null, unwatchedIds: [] };

function own(id: number, status: string, extra: Partial<Outcome> = {}): Outcome {
  return { job: { id }, status, hasErrors: status !== 'successful', notificationId: `n${id}`, followUpJobIds: [], followUpsWatched: false, parent: null, ...extra } as Outcome;
}
const parentOf1 = { job: { id: 1 }, notificationId: 'n1', root: { id: 1 }, depth: 1 };
const members = [own(1, 'successful', { followUpJobIds: [100], followUpsWatched: true }), own(100, 'failed', { parent: parentOf1 })];
function verdict(status: string, overrides: { jobs?: object[]; notificationId?: string } = {}): Outcome {
  const jobs = overrides.jobs ?? members.map((m) => ({ job: m.job, status: m.status, hasErrors: m.hasErrors, notificationId: m.notificationId, depth: m.parent ? 1 : 0, parent: m.parent ? { id: 1 } : null }));
  return { job: { id: 1 }, status, hasErrors: true, notificationId: overrides.notificationId ?? 'v1', chain: { status, jobs } } as unknown as Outcome;
}

describe('the chaos accounting of follow-up chains', () => {
  it('accepts one verdict that is the worst of the published outcomes and lists each as published', () => {
    const result = accountChains([root, lone], members, [verdict('failed'), verdict('failed')], new Set());
    expect(chainProblems(result)).toEqual([]);
    expect(result).toMatchObject({ chains: 1, followUps: 1, verdictsByStatus: { failed: 1 }, duplicates: 1, conflictingDuplicates: 0 });
  });

  it('fails a chain without a verdict, unless one of its jobs is in the DLQ', () => {
    expect(accountChains([root], members, [], new Set()).missing).toHaveLength(1);
    expect(accountChains([root], members.slice(0, 1), [], new Set(['id:100']))).toMatchObject({ missing: [], openWithDlq: 1 });
  });

  it('fails a verdict better than a published member, or contradicting a member’s own outcome', () => {
    expect(chainProblems(accountChains([root], members, [verdict('successful')], new Set()))).not.toEqual([]);
    const lying = verdict('failed', { jobs: [{ job: { id: 1 }, status: 'successful', hasErrors: false, notificationId: 'n1', depth: 0, parent: null }, { job: { id: 100 }, status: 'successful', hasErrors: false, notificationId: 'n100', depth: 1, parent: { id: 1 } }] });
    expect(accountChains([root], members, [lying], new Set()).wrong.join()).toContain('its outcome says failed');
  });

  it('counts a second verdict with another notificationId as conflicting', () => {
    expect(accountChains([root], members, [verdict('failed'), verdict('failed', { notificationId: 'other' })], new Set()).conflictingDuplicates).toBe(1);
  });

  it('fails a verdict for a root that has no watched follow-ups, and a follow-up naming the wrong parent', () => {
    expect(accountChains([root, lone], members, [verdict('failed'), { ...verdict('successful'), job: { id: 2 } } as Outcome], new Set()).unexpected).toEqual(['id:2']);
    const orphan = [members[0]!, own(100, 'failed', { parent: { ...parentOf1, depth: 2 } })];
    expect(accountChains([root], orphan, [verdict('failed')], new Set()).wrong.join()).toContain('expected id:1 of id:1 at depth 1');
  });

  it('plans the catalogue with the verdicts docs/contracts.md gives: past the depth bound or six follow-ups is at least partially_successful, a root naming six has none', () => {
    const workload = chainWorkload({ scenario: 't', roots: catalogue(2, true).length, maxDepth: 2, maxDurationMs: 100, duplicateShare: 0, neverFinishing: true, random: createRandom(1) });
    expect(workload.chains.map((c) => c.expectedVerdict)).toEqual([
      'successful',
      'failed',
      'partially_successful',
      'failed',
      'partially_successful',
      'partially_successful',
      null,
      'not_found',
      'successful',
      'failed',
      null,
      'partially_successful',
      'timed_out',
    ]);
    expect(workload.chains[4]!.members.map((m) => m.depth)).toEqual([0, 1, 2]);
    expect(workload.chains[6]!.unwatchedIds).toHaveLength(6);
    expect(workload.roots[0]!.copies).toBe(2);
  });
});
