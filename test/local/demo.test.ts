import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../shared/contracts/outcome';
import { compareOutcome, createLiveView, demoJobs, renderDifferences, renderOutcomeTable, renderProgressLine, type ProgressSnapshot } from '../../shared/local/demo';

function outcome(overrides: Partial<Outcome> = {}): Outcome {
  return {
    schema: 'alation.job-outcome/v1',
    notificationId: 'n',
    job: { id: 4 },
    kind: null,
    context: null,
    status: 'partially_successful',
    hasErrors: true,
    message: null,
    durationSeconds: null,
    finishedAt: null,
    result: { updatedObjects: 1, numberReceived: 2, errorObjects: [], errorObjectCount: 1, errorsIgnored: 1, error: null, newEventsIngested: null, previouslyIngestedSkipped: null, text: null, data: null, truncated: false },
    followUpJobIds: [],
    polls: 3,
    firstSeenAt: '2026-01-01T00:00:00.000Z',
    publishedAt: '2026-01-01T00:00:02.500Z',
    lastStatus: 'partially_successful',
    lastError: null,
    ...overrides,
  };
}

const snapshot: ProgressSnapshot = { elapsedMs: 12_300, deadlineSeconds: 40, watched: 10, finished: 4, byStatus: { successful: 3, dead_lettered: 1 }, polls: 17, batches: 9 };

describe('the demo job set', () => {
  it('covers every outcome status, ids and names, and one invalid message', () => {
    const jobs = demoJobs();

    expect(new Set(jobs.map((j) => j.expected.status))).toEqual(new Set(['successful', 'partially_successful', 'failed', 'timed_out', 'not_found', 'dead_lettered']));
    expect(jobs.some((j) => j.key.startsWith('name:'))).toBe(true);
    expect(jobs.filter((j) => 'rawBody' in j.message)).toHaveLength(1);
  });

  it('has a job naming a follow-up, which the watcher enqueues, and expects the chain verdict on its root', () => {
    const jobs = demoJobs();
    const followUp = jobs.find((j) => 'followUpOf' in j.message)!;
    const root = jobs.find((j) => j.key === (followUp.message as { followUpOf: string }).followUpOf)!;
    expect(root.expected).toMatchObject({ followUpJobIds: [70], chain: { status: 'successful', jobs: 2 } });
    expect(followUp.expected).toMatchObject({ status: 'successful', parent: root.key });
  });

  it('scales job durations with the deadline, so a shortened demo keeps the same order of events', () => {
    const durations = (deadlineSeconds: number) => demoJobs({ deadlineSeconds }).map((j) => j.simulator?.durationMs ?? 0);

    expect(durations(8)).toEqual(durations(40).map((ms) => Math.round(ms / 5)));
  });
});

describe('comparing an outcome with the expectation', () => {
  it('finds nothing to report when the outcome matches', () => {
    expect(compareOutcome({ status: 'partially_successful', result: { errorObjectCount: 1 } }, { outcomes: [outcome()], deadLetterReasons: [] })).toEqual([]);
  });

  it('names each differing field with both values', () => {
    const differences = compareOutcome(
      { status: 'failed', hasErrors: true, result: { errorObjectCount: 2 } },
      { outcomes: [outcome(), outcome()], deadLetterReasons: [] },
    );

    expect(differences).toEqual([
      { field: 'outcomes', expected: '1', actual: '2' },
      { field: 'status', expected: 'failed', actual: 'partially_successful' },
      { field: 'result.errorObjectCount', expected: '2', actual: '1' },
    ]);
  });

  it('reports a missing outcome and a missing dead letter', () => {
    expect(compareOutcome({ status: 'timed_out' }, { outcomes: [], deadLetterReasons: [] })).toEqual([{ field: 'status', expected: 'timed_out', actual: '(no outcome)' }]);
    expect(compareOutcome({ status: 'dead_lettered' }, { outcomes: [], deadLetterReasons: [] })).toEqual([{ field: 'dead-lettered messages', expected: '1', actual: '0' }]);
  });
});

describe('the final table', () => {
  it('shows status, polls, time to notify, counts, errors and the check, aligned', () => {
    const table = renderOutcomeTable([
      { job: '#4', outcome: outcome(), enqueuedAt: new Date('2026-01-01T00:00:00.000Z'), differences: [] },
      { job: '(invalid) x', statusWithoutOutcome: 'dead_lettered', enqueuedAt: new Date(), differences: [{ field: 'status', expected: 'x', actual: 'y' }] },
    ]);

    expect(table).toBe(
      [
        'JOB          STATUS                POLLS  NOTIFIED  COUNTS       ERRORS                     CHECK',
        '#4           partially_successful  3      2.5 s     1/2 updated  1 error object, 1 ignored  ok',
        '(invalid) x  dead_lettered         -      -         -            -                          DIFFERS',
        '',
      ].join('\n'),
    );
  });

  it('prints expected against actual for each job that differed', () => {
    const text = renderDifferences([{ job: '#4', description: 'slow', enqueuedAt: new Date(), differences: [{ field: 'status', expected: 'failed', actual: 'successful' }] }]);

    expect(text).toBe('#4 (slow):\n  status: expected failed, got successful\n');
  });
});

describe('the live view', () => {
  it('prints plain progress lines without escape codes when stdout is not a terminal', () => {
    let out = '';
    const view = createLiveView({ write: (t) => (out += t), tty: false, snapshot: () => snapshot, intervalMs: 60_000 });

    view.event('#1 → successful after 1 poll');
    view.stop();

    expect(out).toBe(`#1 → successful after 1 poll\n${renderProgressLine(snapshot)}\n`);
    expect(renderProgressLine(snapshot)).toBe('[ 12.3 s] 4/10 finished · successful 3 · partially_successful 0 · failed 0 · timed_out 0 · not_found 0 · dead_lettered 1 · 17 polls');
  });

  it('redraws its block in place on a terminal, keeping event lines above it, and shows the cursor again', () => {
    let out = '';
    const view = createLiveView({ write: (t) => (out += t), tty: true, snapshot: () => snapshot, intervalMs: 60_000 });

    view.event('#1 → successful after 1 poll');
    view.stop();

    expect(out.startsWith('\x1b[?25l')).toBe(true);
    expect(out).toContain('\x1b[4A');
    expect(out).toContain('#1 → successful after 1 poll\n');
    expect(out).toContain('jobs   10 watched · 4 finished · 6 still watched');
    expect(out.endsWith('\x1b[?25h')).toBe(true);
  });
});
