/**
 * Follow-up chains at chaos scale (issue 14): a workload of root jobs whose final results name
 * follow-up jobs in Alation's prose ("… write job_id (can be tracked using jobs API): N"),
 * some nested, some failing, some named past `FOLLOW_UP_MAX_DEPTH` or more than five at once
 * (named, never watched), and the accounting of what the watcher published for them: one
 * outcome per watched job, one verdict per chain with the worst status of its members'
 * published outcomes.
 *
 * The expectations are computed here from the plan and from the published outcomes, with the
 * status order written out from docs/contracts.md, not taken from the product's code.
 */
import { jobKey, type JobIdentifier } from '../../../shared/alation/job-identifier';
import { serializeJobReference } from '../../../shared/contracts/job-reference';
import type { Outcome } from '../../../shared/contracts/outcome';
import type { JobDefinition } from '../../../shared/local/simulator';

/** What a job is expected to end as (the outcome's `status`). */
export type ChainStatus = 'successful' | 'partially_successful' | 'timed_out' | 'not_found' | 'failed';

/** How a member of a chain ends in the simulator. */
export type MemberEnd = 'successful' | 'successful_with_errors' | 'failed' | 'partially_successful' | 'not_found' | 'timed_out';

/**
 * One job of a chain and what its result names. A job that names follow-ups has a final
 * result (`successful`, `failed` or `partially_successful`); `not_found` and `timed_out` jobs
 * never answer one, so they name nothing.
 */
export interface ChainShape {
  readonly end: MemberEnd;
  readonly followUps?: readonly ChainShape[];
  /** The result also names the chain's root (a cycle): it must not be watched again. Roots by id only. */
  readonly namesRoot?: boolean;
  /** The result names its first follow-up twice, as Alation's own live log does. */
  readonly namesTwice?: boolean;
}

/** Most follow-ups one result may name and have them watched (shared/watch/follow-ups.ts). */
export const MAX_WATCHED_PER_JOB = 5;

/** The order of docs/contracts.md: "successful < partially_successful < timed_out < not_found < failed". */
const SEVERITY: readonly ChainStatus[] = ['successful', 'partially_successful', 'timed_out', 'not_found', 'failed'];

export function worstOf(statuses: readonly string[]): ChainStatus {
  return statuses.reduce<ChainStatus>((worst, s) => (SEVERITY.indexOf(s as ChainStatus) > SEVERITY.indexOf(worst) ? (s as ChainStatus) : worst), 'successful');
}

/** A job the watcher must watch and publish one outcome for. */
export interface PlannedMember {
  readonly key: string;
  readonly expected: ChainStatus;
  readonly depth: number;
  /** Null for a root. */
  readonly parentKey: string | null;
  /** Keys of every job above it, nearest first (a follow-up is never sent while one of them is in the DLQ). */
  readonly ancestors: readonly string[];
  /** Its result names follow-ups the watcher does not watch (too deep, too many). */
  readonly namesUnwatched: boolean;
}

/** A root and the jobs watched because of it. */
export interface PlannedChain {
  readonly rootKey: string;
  /** Every watched job of the chain, root first. */
  readonly members: readonly PlannedMember[];
  /** The verdict's status; null when the root's follow-ups are not watched or it names none (no verdict). */
  readonly expectedVerdict: ChainStatus | null;
  /** Ids named somewhere in the chain that must never be watched. */
  readonly unwatchedIds: readonly number[];
}

/** A root as the producer sends it. */
export interface PlannedRoot {
  readonly key: string;
  readonly body: string;
  readonly copies: number;
}

export interface ChainWorkload {
  readonly definitions: JobDefinition[];
  readonly roots: PlannedRoot[];
  readonly chains: PlannedChain[];
}

export interface ChainWorkloadOptions {
  readonly scenario: string;
  /** Roots in all: the catalogue first, then random shapes. */
  readonly roots: number;
  /** The function's `FOLLOW_UP_MAX_DEPTH`. */
  readonly maxDepth: number;
  readonly maxDurationMs: number;
  /** Share of roots delivered twice. */
  readonly duplicateShare: number;
  /** Whether follow-ups that never finish (ending `timed_out` at the deadline) are in the mix. */
  readonly neverFinishing: boolean;
  readonly random: () => number;
}

const FOLLOW_UP_ID_BASE = 100_000;
/** Named but never watched: the simulator does not know them, so a wrong watch shows as an unexpected outcome. */
const UNWATCHED_ID_BASE = 900_000;

const leaf = (end: MemberEnd): ChainShape => ({ end });

/**
 * Shapes every run has, so even the fast variant meets each rule: a failing follow-up, three
 * follow-ups with one named twice, depth 2, a follow-up past the depth bound, a result naming
 * six, a root naming six (no verdict), a follow-up Alation does not know, a cycle back to the
 * root, a failed root, a root without follow-ups. Index 0 is always delivered twice.
 */
export function catalogue(maxDepth: number, neverFinishing: boolean): ChainShape[] {
  // A line of jobs down to FOLLOW_UP_MAX_DEPTH, whose last one names one more.
  const overDepth = (depth: number): ChainShape => ({ end: 'successful', followUps: [depth === maxDepth ? leaf('successful') : overDepth(depth + 1)] });
  const six = Array.from({ length: MAX_WATCHED_PER_JOB + 1 }, () => leaf('successful'));
  return [
    { end: 'successful', followUps: [leaf('successful')] },
    { end: 'successful', followUps: [leaf('failed')] },
    { end: 'successful', followUps: [leaf('successful'), leaf('partially_successful'), leaf('successful_with_errors')], namesTwice: true },
    { end: 'successful', followUps: [{ end: 'successful', followUps: [leaf('successful'), leaf('failed')] }] },
    // Root → … → a job at FOLLOW_UP_MAX_DEPTH whose result names one more: not watched.
    overDepth(0),
    { end: 'successful', followUps: [{ end: 'successful', followUps: six }] },
    { end: 'successful', followUps: six },
    { end: 'successful', followUps: [leaf('not_found')] },
    { end: 'successful', followUps: [{ end: 'successful', namesRoot: true }] },
    { end: 'failed', followUps: [leaf('successful')] },
    leaf('successful'),
    { end: 'partially_successful', followUps: [{ end: 'successful', followUps: [leaf('successful')] }] },
    ...(neverFinishing ? [{ end: 'successful', followUps: [leaf('timed_out')] } satisfies ChainShape] : []),
  ];
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A random chain: 0–3 follow-ups per root, some nested, some past the bounds, some failing. */
export function randomShape(random: () => number, options: { maxDepth: number; neverFinishing: boolean }, depth = 0): ChainShape {
  const count =
    random() < 0.03 && depth < options.maxDepth
      ? MAX_WATCHED_PER_JOB + 1
      : depth === 0
        ? pick([0, 1, 1, 1, 2, 2, 3], random)
        : depth < options.maxDepth
          ? random() < 0.3 ? pick([1, 2], random) : 0
          : random() < 0.15 ? 1 : 0; // past the depth bound: named, not watched
  const followUps = Array.from({ length: count }, () => randomShape(random, options, depth + 1));
  if (followUps.length > 0) {
    const end = pick<MemberEnd>(['successful', 'successful', 'successful', 'successful', 'successful', 'successful', 'successful', 'successful', 'partially_successful', 'failed'], random);
    return { end, followUps, ...(random() < 0.1 && { namesTwice: true }) };
  }
  const leaves: MemberEnd[] = ['successful', 'successful', 'successful', 'successful', 'successful', 'successful_with_errors', 'failed', 'failed', 'partially_successful', 'not_found'];
  if (depth > 0 && options.neverFinishing && random() < 0.05) return leaf('timed_out');
  return leaf(depth === 0 ? pick(['successful', 'successful', 'failed'], random) : pick(leaves, random));
}

const PRESET: Record<MemberEnd, string | undefined> = {
  successful: 'counts',
  successful_with_errors: 'countsWithErrors',
  failed: 'failed',
  partially_successful: 'partiallySuccessful',
  timed_out: 'neverFinishes',
  not_found: undefined,
};
const EXPECTED: Record<MemberEnd, ChainStatus> = {
  successful: 'successful',
  successful_with_errors: 'successful',
  failed: 'failed',
  partially_successful: 'partially_successful',
  timed_out: 'timed_out',
  not_found: 'not_found',
};

/** Alation's prose for follow-ups (Allie-SDK's live log; shared/alation/prose-counts.ts reads it). */
export function namingResult(end: MemberEnd, ids: readonly number[]): string {
  const errors = end === 'successful' ? 0 : 1;
  return `Updated values count: ${1 - errors}. Error count: ${errors}. ${ids.map((id) => `Legacy(Rosemeta) write job_id (can be tracked using jobs API): ${id}`).join('. ')}`;
}

/** Builds the simulator's jobs, the roots to send and the chains to expect. */
export function chainWorkload(options: ChainWorkloadOptions): ChainWorkload {
  const { random, maxDepth } = options;
  const definitions: JobDefinition[] = [];
  const roots: PlannedRoot[] = [];
  const chains: PlannedChain[] = [];
  let nextFollowUpId = FOLLOW_UP_ID_BASE;
  let nextUnwatchedId = UNWATCHED_ID_BASE;
  const fixed = catalogue(maxDepth, options.neverFinishing);

  for (let i = 0; i < options.roots; i++) {
    const shape = i < fixed.length ? fixed[i]! : randomShape(random, { maxDepth, neverFinishing: options.neverFinishing });
    const id = i + 1;
    const cycles = JSON.stringify(shape).includes('"namesRoot":true');
    // Every third root is watched by name, as Lineage and metadata uploads are (a cycle needs an id).
    const name = i % 3 === 2 && !cycles ? `MetadataExtraction#${id}_2026-01-01-00-00-00-${options.scenario}` : undefined;
    const rootJob: JobIdentifier = name ? { name } : { id };
    const rootKey = jobKey(rootJob);
    const members: PlannedMember[] = [];
    const unwatchedIds: number[] = [];

    const add = (node: ChainShape, job: JobIdentifier, simId: number, depth: number, startsAtMs: number, ancestors: readonly string[]) => {
      const key = jobKey(job);
      const named = node.followUps ?? [];
      const watched = named.length > 0 && named.length <= MAX_WATCHED_PER_JOB && depth < maxDepth;
      const childIds = named.map(() => (watched ? nextFollowUpId++ : nextUnwatchedId++));
      if (!watched) unwatchedIds.push(...childIds);
      const durationMs = startsAtMs + Math.floor(random() * options.maxDurationMs);
      const ids = [...childIds, ...(node.namesTwice && childIds.length > 0 ? [childIds[0]!] : []), ...(node.namesRoot && 'id' in rootJob ? [rootJob.id] : [])];
      if (ids.length > 0) {
        const status = node.end === 'successful_with_errors' ? 'successful' : node.end;
        definitions.push({ id: simId, ...('name' in job && { name: job.name }), durationMs, body: { status, result: namingResult(node.end, ids) } });
      } else if (PRESET[node.end] !== undefined) {
        definitions.push({ id: simId, ...('name' in job && { name: job.name }), durationMs, preset: PRESET[node.end]! });
      }
      members.push({ key, expected: EXPECTED[node.end], depth, parentKey: ancestors[0] ?? null, ancestors, namesUnwatched: named.length > 0 && !watched });
      if (watched) named.forEach((child, n) => add(child, { id: childIds[n]! }, childIds[n]!, depth + 1, durationMs, [key, ...ancestors]));
    };
    add(shape, rootJob, id, 0, 0, []);

    const rootWatchesFollowUps = members.length > 1;
    chains.push({
      rootKey,
      members,
      expectedVerdict: rootWatchesFollowUps ? worstOf([...members.map((m) => m.expected), ...(members.some((m) => m.namesUnwatched) ? ['partially_successful'] : [])]) : null,
      unwatchedIds,
    });
    roots.push({
      key: rootKey,
      body: serializeJobReference({ job: rootJob, kind: 'chaos', context: { scenario: options.scenario, seq: i }, watch: null }),
      copies: i === 0 || random() < options.duplicateShare ? 2 : 1,
    });
  }
  return { definitions, roots, chains };
}

/** What the run published for the chains, judged against the plan. */
export interface ChainAccounting {
  /** Chains that must end with a verdict. */
  readonly chains: number;
  /** Follow-ups watched (members other than roots). */
  readonly followUps: number;
  /** Ids named but not to be watched (too deep, more than five). */
  readonly unwatchedNamed: number;
  /** Chains with a verdict, by the verdict's status. */
  readonly verdictsByStatus: Readonly<Record<string, number>>;
  /** Chains left without a verdict while none of their jobs is in the DLQ: a failure of the run. */
  readonly missing: readonly string[];
  /** Chains without a verdict because a job of theirs is in the DLQ (documented: open until redriven). */
  readonly openWithDlq: number;
  /** Verdicts (or follow-up outcomes) that contradict the plan or the members' published outcomes. */
  readonly wrong: readonly string[];
  /** Verdicts for a job that is no chain's root, or for a root whose follow-ups are not watched. */
  readonly unexpected: readonly string[];
  /** Verdict messages beyond the first for a chain. */
  readonly duplicates: number;
  /** Of those, with a notificationId other than the first's. */
  readonly conflictingDuplicates: number;
}

/** The chains' part of the run's failures, empty when the chains are all accounted for. */
export function chainProblems(c: ChainAccounting): string[] {
  return [
    ...(c.missing.length > 0 ? [`${c.missing.length} chains without a verdict: ${c.missing.slice(0, 3).join(', ')}`] : []),
    ...(c.wrong.length > 0 ? [`wrong chain: ${c.wrong.slice(0, 3).join('; ')}`] : []),
    ...(c.unexpected.length > 0 ? [`verdicts for no chain: ${c.unexpected.slice(0, 3).join(', ')}`] : []),
  ];
}

/** Whether the chain is done from the collector's point of view: a verdict, or a job of it in the DLQ. */
export function chainSettled(chain: PlannedChain, verdictKeys: ReadonlySet<string>, inDlq: ReadonlySet<string>): boolean {
  return chain.expectedVerdict === null || verdictKeys.has(chain.rootKey) || chain.members.some((m) => inDlq.has(m.key));
}

/** A member the watcher could never reach: a job above it is in the DLQ (it never ended, so never named it). */
export function unreachable(member: Pick<PlannedMember, 'ancestors'>, inDlq: ReadonlySet<string>): boolean {
  return member.ancestors.some((k) => inDlq.has(k));
}

/**
 * Judges the verdicts. `own` are the jobs' own outcomes (no `chain`), `verdicts` the others,
 * `inDlq` the keys of jobs whose message reached the DLQ. A verdict must list exactly the
 * chain's watched jobs, each with the status, `hasErrors` and `notificationId` of its published
 * outcome; its status must be the worst of those (at least `partially_successful` when a job
 * named follow-ups that are not watched) and the plan's. Each follow-up's `parent` must name its
 * parent, the root and its depth.
 */
export function accountChains(chains: readonly PlannedChain[], own: readonly Outcome[], verdicts: readonly Outcome[], inDlq: ReadonlySet<string>): ChainAccounting {
  const ownByKey = new Map<string, Outcome>();
  for (const o of own) if (!ownByKey.has(jobKey(o.job))) ownByKey.set(jobKey(o.job), o);
  const verdictsByKey = new Map<string, Outcome[]>();
  for (const v of verdicts) verdictsByKey.set(jobKey(v.job), [...(verdictsByKey.get(jobKey(v.job)) ?? []), v]);
  const expecting = new Set(chains.filter((c) => c.expectedVerdict !== null).map((c) => c.rootKey));

  const verdictsByStatus: Record<string, number> = {};
  const missing: string[] = [];
  const wrong: string[] = [];
  let openWithDlq = 0;
  let duplicates = 0;
  let conflictingDuplicates = 0;

  for (const chain of chains) {
    for (const m of chain.members.slice(1)) {
      const outcome = ownByKey.get(m.key);
      if (!outcome) continue; // lost or in the DLQ: the job accounting reports it
      const parent = outcome.parent;
      const rootKeyOf = parent ? jobKey(parent.root) : null;
      if (!parent || jobKey(parent.job) !== m.parentKey || rootKeyOf !== chain.rootKey || parent.depth !== m.depth) {
        wrong.push(`${m.key}: parent ${JSON.stringify(parent ?? null)} (expected ${m.parentKey} of ${chain.rootKey} at depth ${m.depth})`);
      }
    }
    const got = verdictsByKey.get(chain.rootKey) ?? [];
    if (chain.expectedVerdict === null) continue;
    if (got.length === 0) {
      if (chain.members.some((m) => inDlq.has(m.key))) openWithDlq += 1;
      else missing.push(`${chain.rootKey} (${chain.members.length} jobs, ${chain.members.filter((m) => ownByKey.has(m.key)).length} with an outcome)`);
      continue;
    }
    const [verdict] = got;
    duplicates += got.length - 1;
    conflictingDuplicates += got.slice(1).filter((v) => v.notificationId !== verdict!.notificationId).length;
    verdictsByStatus[verdict!.status] = (verdictsByStatus[verdict!.status] ?? 0) + 1;

    const listed = verdict!.chain!.jobs;
    const listedKeys = listed.map((j) => jobKey(j.job)).sort();
    const plannedKeys = chain.members.map((m) => m.key).sort();
    if (JSON.stringify(listedKeys) !== JSON.stringify(plannedKeys)) wrong.push(`${chain.rootKey}: verdict lists ${listedKeys.join(' ')} (expected ${plannedKeys.join(' ')})`);
    const published = chain.members.map((m) => ownByKey.get(m.key));
    for (const entry of listed) {
      const mine = ownByKey.get(jobKey(entry.job));
      if (mine && (mine.status !== entry.status || mine.hasErrors !== entry.hasErrors || mine.notificationId !== entry.notificationId)) {
        wrong.push(`${chain.rootKey}: verdict lists ${jobKey(entry.job)} as ${entry.status}/${entry.notificationId.slice(0, 8)}, its outcome says ${mine.status}/${mine.notificationId.slice(0, 8)}`);
      }
    }
    if (published.every((o) => o !== undefined)) {
      const unwatched = published.some((o) => o!.followUpsWatched === false && o!.followUpJobIds.length > 0);
      const fromPublished = worstOf([...published.map((o) => o!.status), ...(unwatched ? ['partially_successful'] : [])]);
      if (verdict!.status !== fromPublished) wrong.push(`${chain.rootKey}: verdict ${verdict!.status}, worst of the published outcomes ${fromPublished}`);
    }
    if (verdict!.status !== chain.expectedVerdict) wrong.push(`${chain.rootKey}: verdict ${verdict!.status} (expected ${chain.expectedVerdict})`);
    if (verdict!.chain!.status !== verdict!.status) wrong.push(`${chain.rootKey}: verdict status ${verdict!.status}, chain.status ${verdict!.chain!.status}`);
    if (verdict!.hasErrors !== (verdict!.status !== 'successful' || published.some((o) => o?.hasErrors === true))) wrong.push(`${chain.rootKey}: verdict hasErrors ${verdict!.hasErrors}`);
  }
  const unexpected = [...verdictsByKey.keys()].filter((k) => !expecting.has(k));
  return {
    chains: expecting.size,
    followUps: chains.reduce((n, c) => n + c.members.length - 1, 0),
    unwatchedNamed: chains.reduce((n, c) => n + c.unwatchedIds.length, 0),
    verdictsByStatus,
    missing,
    openWithDlq,
    wrong,
    unexpected,
    duplicates,
    conflictingDuplicates,
  };
}
