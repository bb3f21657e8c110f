import { describe, expect, it } from 'vitest';
import { planFollowUps, MAX_FOLLOW_UPS_PER_JOB } from '../../shared/watch/follow-ups';
import { jobRef } from '../support/factories';
import { outcome } from '../support/outcomes';

const options = { enabled: true, maxDepth: 3 };
const parentOf = (depth: number) => ({ job: { id: 7 }, notificationId: 'n-7', root: { id: 1 }, depth });

describe('planFollowUps', () => {
  it('enqueues each named follow-up once, with the parent, its kind and its context', () => {
    const reference = jobRef({ job: { id: 7 }, kind: 'custom-field-values', context: { upload: 'u-1' } });
    const plan = planFollowUps(reference, outcome({ job: { id: 7 }, notificationId: 'n-7', followUpJobIds: [70, 70, 7, 71] }), options);

    expect(plan.outcome.followUpsWatched).toBe(true);
    expect(plan.root).toEqual({ id: 7 });
    expect(plan.children).toEqual(
      [70, 71].map((id) => ({
        job: { id },
        kind: 'custom-field-values',
        context: { upload: 'u-1' },
        watch: null,
        parent: { job: { id: 7 }, notificationId: 'n-7', root: { id: 7 }, depth: 1 },
      })),
    );
  });

  it("keeps the chain's root and counts the depth down the chain", () => {
    const plan = planFollowUps(jobRef({ job: { id: 70 }, parent: parentOf(1) }), outcome({ job: { id: 70 }, followUpJobIds: [700] }), options);
    expect(plan.children[0]!.parent).toMatchObject({ job: { id: 70 }, root: { id: 1 }, depth: 2 });
  });

  it('stops at the depth bound, and says why', () => {
    const plan = planFollowUps(jobRef({ job: { id: 70 }, parent: parentOf(3) }), outcome({ job: { id: 70 }, followUpJobIds: [700] }), options);
    expect(plan).toMatchObject({ children: [], root: { id: 1 }, outcome: { followUpsWatched: false } });
    expect(plan.notWatchedBecause).toContain('FOLLOW_UP_MAX_DEPTH=3');
  });

  it('watches none when switched off, and keeps followUpJobIds as they are', () => {
    const plan = planFollowUps(jobRef({ job: { id: 7 } }), outcome({ job: { id: 7 }, followUpJobIds: [70] }), { ...options, enabled: false });
    expect(plan).toMatchObject({ children: [], root: null, outcome: { followUpsWatched: false, followUpJobIds: [70] } });
    expect(plan.notWatchedBecause).toContain('WATCH_FOLLOW_UPS=false');
  });

  it('watches none of a result naming more follow-ups than the bound', () => {
    const ids = Array.from({ length: MAX_FOLLOW_UPS_PER_JOB + 1 }, (_, i) => 100 + i);
    const plan = planFollowUps(jobRef({ job: { id: 7 } }), outcome({ job: { id: 7 }, followUpJobIds: ids }), options);
    expect(plan.children).toEqual([]);
    expect(plan.outcome.followUpsWatched).toBe(false);
  });

  it('puts a job without follow-ups in no chain, unless it is a follow-up itself', () => {
    expect(planFollowUps(jobRef(), outcome({ followUpJobIds: [] }), options)).toMatchObject({ root: null, children: [], outcome: { followUpsWatched: false } });
    expect(planFollowUps(jobRef({ parent: parentOf(1) }), outcome({ followUpJobIds: [] }), options).root).toEqual({ id: 1 });
  });
});
