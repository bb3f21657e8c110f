/**
 * Runs one chaos scenario: the real job-status handler, fed by the local event source mapping
 * (Lambda's partial-batch rules, timeout, redrive), against the Alation simulator and the
 * local AWS stand-ins, with faults injected on either side. Then it accounts for every job:
 * everything on the outcome queue and the DLQ is collected (and a little longer, for
 * stragglers) and keyed by job.
 */
import { GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { JOB_STATUS_PATH } from '../../../shared/alation/client';
import { jobKey, type JobIdentifier } from '../../../shared/alation/job-identifier';
import { loadConfig } from '../../../shared/config';
import { serializeJobReference } from '../../../shared/contracts/job-reference';
import type { Outcome } from '../../../shared/contracts/outcome';
import { readOutcomeMessage } from '../../../shared/contracts/read-outcome';
import { startEventSourceMapping, type EventSourceMapping } from '../../../shared/local/esm-runner';
import { startLocalJobWatch, type JobStatusHandler, type LocalJobWatch } from '../../../shared/local/job-watch';
import { drainQueue, type ReceivedMessage } from '../../../shared/local/outcome-collector';
import { startAlationSimulator, type AlationSimulator, type FaultOptions, type JobDefinition } from '../../../shared/local/simulator';
import { emptyFaultStats, environmentHandler, type AwsFaultPlan, type AwsFaultStats } from './aws-faults';
import { createRandom } from '../../../shared/local/simulator/random';
import type { AwsCallLog } from '../../support/aws-calls';
import { accountChains, chainSettled, chainWorkload, unreachable, type ChainAccounting, type PlannedChain } from './chains';

/** What a job is expected to end as. */
export type ExpectedStatus = 'successful' | 'failed' | 'partially_successful' | 'timed_out' | 'not_found';

const PRESET_MIX: readonly (readonly [string, ExpectedStatus])[] = [
  ['counts', 'successful'],
  ['failed', 'failed'],
  ['partiallySuccessful', 'partially_successful'],
  ['qli', 'successful'],
  ['countsWithErrors', 'successful'],
];

/** A body that is not a valid job reference, and the reason the DLQ must carry for it. */
export interface InvalidBody {
  readonly label: string;
  readonly body: string;
  readonly reason: RegExp;
}

export interface ScenarioSpec {
  readonly name: string;
  /** One line for docs/reliability.md: what the scenario proves. */
  readonly proves: string;
  readonly jobs: number;
  readonly seed?: number;
  /** Jobs run for a random time up to this. @default 2000 */
  readonly maxDurationMs?: number;
  /** Every job is expected to end so, whatever its preset (e.g. `timed_out` when Alation is down). */
  readonly expectStatus?: ExpectedStatus;
  /** Share of jobs that never finish (expected `timed_out`). @default 0 */
  readonly neverFinishesShare?: number;
  readonly alationFaults?: FaultOptions;
  /** Access tokens minted from a refresh token (the secret holds `{ refreshToken, userId }`), living this long. */
  readonly mintedTokenTtlMs?: number;
  /** Rotates the static token and the secret this long after the jobs were sent. */
  readonly rotateSecretAfterMs?: number;
  readonly awsFaults?: AwsFaultPlan;
  /** Share of jobs whose message is delivered twice (two identical messages). @default 0 */
  readonly duplicateShare?: number;
  readonly invalidBodies?: readonly InvalidBody[];
  /** Valid bodies built by hand (e.g. names that look like URLs), each expected to succeed. */
  readonly extraJobs?: readonly { readonly definition: JobDefinition; readonly body: string }[];
  /** The function's tunables, as env strings. */
  readonly tunables?: Readonly<Record<string, string>>;
  /** Concurrent invocations (event source mappings on the job queue). @default 2 */
  readonly concurrency?: number;
  /**
   * All mappings invoke one handler instance in one execution environment, invocations
   * overlapping, as Lambda Managed Instances run them (and, as there, an invocation's timeout
   * fails that invocation without stopping its code or the others). @default false (an environment per mapping)
   */
  readonly sharedEnvironment?: boolean;
  readonly batchSize?: number;
  readonly visibilityTimeoutSeconds?: number;
  readonly functionTimeoutMs?: number;
  readonly maxReceiveCount?: number;
  /**
   * Set when the scenario injects a fault whose duplicates are the documented at-least-once
   * case (docs/how-it-works.md: receivers drop them by `notificationId`): the table shows them apart.
   */
  readonly knownDuplicates?: string;
  /** How long to wait for every job to be accounted for. @default 60 000 */
  readonly timeoutMs?: number;
  /**
   * Follow-up chains (test/chaos/support/chains.ts) instead of the preset mix: `jobs` roots whose
   * results name follow-ups, watched by the watcher, each chain ending in one verdict.
   */
  readonly followUpChains?: {
    /** The function's `FOLLOW_UP_MAX_DEPTH` (set in its environment). */
    readonly maxDepth: number;
    /** Follow-ups that never finish are in the mix (each holds the run for `MAX_WATCH_SECONDS`). */
    readonly neverFinishing: boolean;
  };
}

/** The accounting of one run. */
export interface ScenarioReport {
  readonly name: string;
  readonly proves: string;
  readonly jobs: number;
  /** Jobs with at least one outcome. */
  readonly outcomes: number;
  /** Outcome messages beyond the first for a job. */
  readonly duplicates: number;
  /** Duplicates whose `notificationId` differs from the job's first outcome (receivers cannot drop them). */
  readonly conflictingDuplicates: number;
  readonly knownDuplicates?: string;
  /** Jobs with neither an outcome nor a DLQ message. */
  readonly lost: number;
  /** Follow-ups never sent because a job above them is in the DLQ (their chain stays open until it is redriven). */
  readonly unreached: number;
  /** Jobs whose outcome status was not the expected one: `key: got (expected)`. */
  readonly wrongStatus: readonly string[];
  /** Outcomes for jobs that were never sent. */
  readonly unexpected: readonly string[];
  /** Invalid bodies found in the DLQ, by reason (field: problem). */
  readonly dlqByReason: Readonly<Record<string, number>>;
  /** Invalid bodies sent that were not found in the DLQ with the expected reason. */
  readonly invalidMissing: readonly string[];
  /** Valid jobs that reached the DLQ after `maxReceiveCount` deliveries (written by the function with the reason, or moved by the redrive policy). */
  readonly redriven: number;
  /** Of those, moved by the redrive policy without a reason (the function's last-delivery write did not happen). */
  readonly redrivenWithoutReason: number;
  readonly alationCalls: number;
  readonly requeues: number;
  readonly faults: Readonly<Record<string, number>>;
  /** Messages still on the job queue at the end (a poll chain still alive). */
  readonly leftOnQueue: number;
  /** Where a token was found: `log`, `outcome`, `dlq`, `sent`, `error`. */
  readonly tokenLeaks: readonly string[];
  /**
   * The chains' accounting, on scenarios with follow-up chains. Their jobs (roots and watched
   * follow-ups) are in `jobs`, `outcomes`, `lost` and `wrongStatus` like any job; their verdicts'
   * repeats are in `duplicates` and `conflictingDuplicates`.
   */
  readonly chains?: ChainAccounting;
  /** Chain verdicts on a scenario without chains (a root job got a second, different notification). */
  readonly unexpectedVerdicts: readonly string[];
  readonly durationMs: number;
  /** Everything collected, for scenario-specific assertions. */
  readonly collected: {
    /** Every message read from the outcome queue, the jobs' own outcomes and chain verdicts alike. */
    readonly outcomes: readonly Outcome[];
    readonly dlq: readonly ReceivedMessage[];
    readonly logLines: readonly string[];
    readonly sim: AlationSimulator['stats'] extends () => infer S ? S : never;
    readonly simRequests: readonly { path: string }[];
    readonly faultStats: AwsFaultStats;
    /** Every invocation that returned: its request id, its records and its reported failures. */
    readonly invocations: readonly InvocationSeen[];
  };
}

/** One invocation as the event source mapping saw it. */
export interface InvocationSeen {
  readonly requestId: string;
  readonly messageIds: readonly string[];
  readonly failures: readonly string[];
}

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  /** Records the handler's AWS calls and the environments it ran under (`test/iam/`, `test:chaos -- --iam`). */
  readonly awsCalls?: AwsCallLog;
}

interface PlannedJob {
  readonly key: string;
  readonly expected: ExpectedStatus;
  /** Unused when `copies` is 0. */
  readonly body: string;
  /** 0 for a follow-up: the watcher sends it. */
  readonly copies: number;
  /** A follow-up's jobs above it: one in the DLQ means it was never sent. */
  readonly ancestors?: readonly string[];
}


function hashSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

function planJobs(spec: ScenarioSpec, random: () => number): { definitions: JobDefinition[]; planned: PlannedJob[]; chains: PlannedChain[] } {
  if (spec.followUpChains) {
    const workload = chainWorkload({
      scenario: spec.name,
      roots: spec.jobs,
      maxDepth: spec.followUpChains.maxDepth,
      maxDurationMs: spec.maxDurationMs ?? 2000,
      duplicateShare: spec.duplicateShare ?? 0,
      neverFinishing: spec.followUpChains.neverFinishing,
      random,
    });
    const copies = new Map(workload.roots.map((r) => [r.key, r]));
    const planned = workload.chains.flatMap((c) =>
      c.members.map((m): PlannedJob => ({ key: m.key, expected: m.expected, body: copies.get(m.key)?.body ?? '', copies: copies.get(m.key)?.copies ?? 0, ancestors: m.ancestors })),
    );
    return { definitions: workload.definitions, planned, chains: workload.chains };
  }
  const definitions: JobDefinition[] = [];
  const planned: PlannedJob[] = [];
  for (let i = 0; i < spec.jobs; i++) {
    const id = i + 1;
    const neverFinishes = random() < (spec.neverFinishesShare ?? 0);
    const [preset, expected] = neverFinishes ? (['neverFinishes', 'timed_out'] as const) : PRESET_MIX[i % PRESET_MIX.length]!;
    // Every third job is watched by name, as Lineage and metadata uploads are.
    const name = i % 3 === 2 ? `MetadataExtraction#${id}_2026-01-01-00-00-00-${spec.name}` : undefined;
    definitions.push({ id, ...(name && { name }), durationMs: Math.floor(random() * (spec.maxDurationMs ?? 2000)), preset });
    const job: JobIdentifier = name ? { name } : { id };
    planned.push({
      key: jobKey(job),
      expected: spec.expectStatus ?? expected,
      body: serializeJobReference({ job, kind: 'chaos', context: { scenario: spec.name, seq: i }, watch: null }),
      copies: random() < (spec.duplicateShare ?? 0) ? 2 : 1,
    });
  }
  for (const extra of spec.extraJobs ?? []) {
    definitions.push(extra.definition);
    const job: JobIdentifier = extra.definition.name ? { name: extra.definition.name } : { id: extra.definition.id! };
    planned.push({ key: jobKey(job), expected: 'successful', body: extra.body, copies: 1 });
  }
  return { definitions, planned, chains: [] };
}

async function sendBodies(watch: LocalJobWatch, bodies: readonly string[]): Promise<void> {
  const { sqs } = watch.aws.clients();
  const batches: string[][] = [];
  for (let i = 0; i < bodies.length; i += 10) batches.push(bodies.slice(i, i + 10));
  for (const batch of batches) {
    const { Failed = [] } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: watch.resources.jobQueue.url,
        Entries: batch.map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
    if (Failed.length > 0) throw new Error(`could not send test messages: ${JSON.stringify(Failed)}`);
  }
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

async function queueDepth(watch: LocalJobWatch): Promise<number> {
  const { Attributes = {} } = await watch.aws.clients().sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: watch.resources.jobQueue.url, AttributeNames: ['All'] }),
  );
  return ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed']
    .map((name) => Number(Attributes[name as keyof typeof Attributes] ?? 0))
    .reduce((a, b) => a + b, 0);
}

function jobKeyOfBody(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const id = parsed.jobId ?? parsed.job_id;
    const name = parsed.jobName ?? parsed.job_name;
    if (id !== undefined) return jobKey({ id: Number(id) });
    if (typeof name === 'string') return jobKey({ name });
  } catch {
    return undefined;
  }
  return undefined;
}

/** The `field: problem` part of a DLQ reason, without the values, for the table. */
/** The reason the function gives a valid job it dead-letters on its last delivery. */
const LAST_DELIVERY_REASON = /^failed on its last delivery \(\d+ of \d+\): /;

/**
 * A valid job in the DLQ: written there by the function on its last delivery (with the reason),
 * or moved there by the redrive policy (none). Every other reason belongs to an invalid body.
 */
function isValidJobInDlq(message: { readonly attributes: Readonly<Record<string, string | undefined>> }): boolean {
  const reason = message.attributes.reason;
  return reason === undefined || LAST_DELIVERY_REASON.test(reason);
}

function reasonLabel(reason: string): string {
  return reason
    .replace(/^invalid job reference: /, '')
    .split('; ')[0]!
    .replace(/ \((?!or )[^)]*\)?$/, '')
    .replace(/\d+ bytes/, 'N bytes')
    .replace(/"[^"]*"/g, '…')
    .trim();
}

/**
 * Runs the scenario to the end and returns its accounting. Starts and stops everything it
 * uses (also when it fails). `logLines` is where the caller captures stdout.
 */
export async function runScenario(spec: ScenarioSpec, logLines: readonly string[], options: RunScenarioOptions = {}): Promise<ScenarioReport> {
  const started = Date.now();
  // Small seeds give correlated first draws in mulberry32 (seed 1: no fault in the first 25
  // requests at 20 %), so the scenario's name is hashed into the seed.
  const seed = hashSeed(`${spec.name}:${spec.seed ?? 1}`);
  const random = createRandom(seed);
  const { definitions, planned, chains } = planJobs(spec, random);
  const refreshGrant = spec.mintedTokenTtlMs ? { refreshToken: `refresh-${crypto.randomUUID()}`, userId: 7 } : undefined;
  const logStart = logLines.length;

  const sim = await startAlationSimulator({
    jobs: definitions,
    faults: spec.alationFaults,
    seed,
    ...(refreshGrant && { refreshTokens: [refreshGrant], accessTokenTtlMs: spec.mintedTokenTtlMs }),
  });
  const tokens = new Set<string>([sim.accessToken]);
  if (refreshGrant) tokens.add(refreshGrant.refreshToken);

  const faultStats = emptyFaultStats();
  const awsRandom = createRandom(seed ^ 0x5bd1e995);
  const visibilityTimeoutSeconds = spec.visibilityTimeoutSeconds ?? 4;
  const functionTimeoutMs = spec.functionTimeoutMs ?? 3000;
  const tunables = { POLL_INITIAL_DELAY_SECONDS: '1', POLL_MAX_DELAY_SECONDS: '1', MAX_WATCH_SECONDS: '30', ALATION_TIMEOUT_MS: '1000', RECORD_CONCURRENCY: '10', ...spec.tunables };
  const extraMappings: EventSourceMapping[] = [];
  let watch: LocalJobWatch | undefined;
  const invocations: InvocationSeen[] = [];
  let sharedHandler: JobStatusHandler | undefined;
  const handlerFor = (env: Readonly<Record<string, string>>): JobStatusHandler => {
    if (sharedHandler) return sharedHandler;
    options.awsCalls?.addEnvironment(env);
    const handler = environmentHandler({
      config: loadConfig(env),
      plan: spec.awsFaults ?? {},
      stats: faultStats,
      random: awsRandom,
      functionTimeoutMs,
      killOnTimeout: !spec.sharedEnvironment,
      awsCalls: options.awsCalls,
    });
    const seen: JobStatusHandler = async (event, context) => {
      const response = await handler(event, context);
      invocations.push({
        requestId: context.awsRequestId,
        messageIds: event.Records.map((r) => r.messageId),
        failures: response.batchItemFailures.map((f) => f.itemIdentifier),
      });
      return response;
    };
    if (spec.sharedEnvironment) sharedHandler = seen;
    return seen;
  };

  try {
    watch = await startLocalJobWatch({
      alationBaseUrl: sim.url,
      tokenSecretValue: refreshGrant ?? sim.accessToken,
      tunables,
      batchSize: spec.batchSize ?? 10,
      visibilityTimeoutSeconds,
      maxReceiveCount: spec.maxReceiveCount ?? 5,
      functionTimeoutMs,
      handler: handlerFor,
    });
    const w = watch;
    for (let i = 1; i < (spec.concurrency ?? 2); i++) {
      extraMappings.push(
        startEventSourceMapping({
          sqs: w.aws.clients().sqs,
          queueUrl: w.resources.jobQueue.url,
          queueArn: w.resources.jobQueue.arn,
          handler: handlerFor(w.functionEnv),
          batchSize: spec.batchSize ?? 10,
          visibilityTimeoutSeconds,
          functionTimeoutMs,
          waitTimeSeconds: 1,
          functionName: `alation-job-watch-local-${i}`,
        }),
      );
    }

    const invalid = spec.invalidBodies ?? [];
    const bodies = shuffle(
      [...planned.flatMap((job) => Array.from({ length: job.copies }, () => job.body)), ...invalid.map((i) => i.body)],
      random,
    );
    await sendBodies(w, bodies);

    let rotation: Promise<void> | undefined;
    if (spec.rotateSecretAfterMs !== undefined) {
      rotation = new Promise((resolve) => setTimeout(resolve, spec.rotateSecretAfterMs)).then(async () => {
        const fresh = sim.rotateAccessToken(); // the old token is refused from now on
        tokens.add(fresh);
        await w.aws.clients().secretsManager.send(new PutSecretValueCommand({ SecretId: w.resources.tokenSecret.arn, SecretString: fresh }));
      });
    }

    // Collect until every job and every invalid body is accounted for, then a while longer:
    // anything arriving then is a duplicate.
    const { sqs } = w.aws.clients();
    const outcomeMessages: ReceivedMessage[] = [];
    const dlq: ReceivedMessage[] = [];
    const validKeys = new Set(planned.map((p) => p.key));
    const accounted = () => {
      const keys = new Set<string>();
      const verdictKeys = new Set<string>();
      const inDlq = new Set<string>();
      for (const m of outcomeMessages) {
        const outcome = readOutcomeMessage(m.body);
        (outcome.chain ? verdictKeys : keys).add(jobKey(outcome.job));
      }
      for (const m of dlq) if (isValidJobInDlq(m)) inDlq.add(jobKeyOfBody(m.body) ?? '');
      const invalidSeen = dlq.filter((m) => !isValidJobInDlq(m)).length;
      return (
        planned.every((p) => keys.has(p.key) || inDlq.has(p.key) || unreachable({ ancestors: p.ancestors ?? [] }, inDlq)) &&
        chains.every((c) => chainSettled(c, verdictKeys, inDlq)) &&
        invalidSeen >= invalid.length
      );
    };
    const drainBoth = async (timeoutMs: number, until: () => boolean, settled?: () => Promise<boolean>) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && !until()) {
        if (settled && (await settled())) return;
        outcomeMessages.push(...(await drainQueue(sqs, w.resources.outcomeQueue.url, { until: (r) => r.length > 0, timeoutMs: 1000 })));
        dlq.push(...(await drainQueue(sqs, w.resources.deadLetterQueue.url, { until: (r) => r.length >= 10, timeoutMs: 200 })));
      }
    };
    await drainBoth(spec.timeoutMs ?? 60_000, accounted);
    await rotation;
    // Stragglers: a forked poll chain re-checks within the longest delay, a redelivery within
    // the visibility timeout, an in-progress idempotency record expires with the function timeout.
    // The job queue empty twice in a row (nothing visible, in flight or delayed) means no chain
    // is left that could publish; the bound is there for a chain that never ends.
    const settleMs = (Number(tunables.POLL_MAX_DELAY_SECONDS) + visibilityTimeoutSeconds) * 1000 + functionTimeoutMs + 1000;
    let emptyChecks = 0;
    await drainBoth(settleMs, () => false, async () => {
      emptyChecks = (await queueDepth(w)) === 0 ? emptyChecks + 1 : 0;
      return emptyChecks >= 2;
    });
    await drainBoth(1000, () => false);
    const leftOnQueue = await queueDepth(w);

    for (const request of sim.requests) {
      const token = request.headers.token;
      if (typeof token === 'string') tokens.add(token);
    }

    // Accounting. A chain verdict is a second notification of its root: kept apart from the
    // jobs' own outcomes, judged by accountChains.
    const outcomes = outcomeMessages.map((m) => readOutcomeMessage(m.body));
    const own = outcomes.filter((o) => !o.chain);
    const verdicts = outcomes.filter((o) => o.chain);
    const byKey = new Map<string, Outcome[]>();
    for (const outcome of own) byKey.set(jobKey(outcome.job), [...(byKey.get(jobKey(outcome.job)) ?? []), outcome]);
    const validInDlq = dlq.filter(isValidJobInDlq);
    const redrivenKeys = new Set(validInDlq.map((m) => jobKeyOfBody(m.body) ?? m.body));
    const chainAccounting = spec.followUpChains ? accountChains(chains, own, verdicts, redrivenKeys) : undefined;
    const wrongStatus: string[] = [];
    let lost = 0;
    let unreached = 0;
    let duplicates = chainAccounting?.duplicates ?? 0;
    let conflictingDuplicates = chainAccounting?.conflictingDuplicates ?? 0;
    for (const job of planned) {
      const got = byKey.get(job.key) ?? [];
      // A follow-up below a job in the DLQ was never named to the watcher: not lost, its chain stays open.
      if (got.length === 0 && !redrivenKeys.has(job.key)) {
        if (unreachable({ ancestors: job.ancestors ?? [] }, redrivenKeys)) unreached += 1;
        else lost += 1;
      }
      duplicates += Math.max(0, got.length - 1);
      conflictingDuplicates += got.slice(1).filter((o) => o.notificationId !== got[0]!.notificationId).length;
      if (got.length > 0 && got[0]!.status !== job.expected) wrongStatus.push(`${job.key}: ${got[0]!.status} (expected ${job.expected})`);
    }
    const unexpected = [...byKey.keys()].filter((k) => !validKeys.has(k));

    const dlqByReason: Record<string, number> = {};
    const invalidMissing: string[] = [];
    const reasoned = dlq.filter((m) => !isValidJobInDlq(m));
    for (const m of reasoned) dlqByReason[reasonLabel(m.attributes.reason!)] = (dlqByReason[reasonLabel(m.attributes.reason!)] ?? 0) + 1;
    for (const bad of invalid) {
      const expectedBody = bad.body === '' ? '(empty body)' : bad.body;
      const found = reasoned.find((m) => m.body === expectedBody && bad.reason.test(m.attributes.reason!));
      if (!found) invalidMissing.push(`${bad.label}: ${reasoned.find((m) => m.body === expectedBody)?.attributes.reason ?? 'not in the DLQ'}`);
    }

    const scanned = logLines.slice(logStart);
    const haystacks: [string, string][] = [
      ['log', scanned.join('\n')],
      ['outcome', outcomeMessages.map((m) => m.body + JSON.stringify(m.attributes)).join('\n')],
      ['dlq', dlq.map((m) => m.body + JSON.stringify(m.attributes)).join('\n')],
      ['sent', faultStats.sentBodies.join('\n')],
      ['error', faultStats.invocationErrors.join('\n')],
    ];
    const tokenLeaks = haystacks.filter(([, text]) => [...tokens].some((t) => t.length >= 4 && text.includes(t))).map(([where]) => where);

    const simStats = sim.stats();
    const refused = Object.values(faultStats.refused).reduce((a, b) => a + b, 0);
    const simFaults = Object.entries(simStats.faults).filter(([kind, n]) => kind !== 'latency' && n > 0);
    return {
      name: spec.name,
      proves: spec.proves,
      jobs: planned.length,
      outcomes: byKey.size - unexpected.length,
      duplicates,
      conflictingDuplicates,
      ...(spec.knownDuplicates && { knownDuplicates: spec.knownDuplicates }),
      lost,
      unreached,
      wrongStatus,
      unexpected,
      dlqByReason,
      invalidMissing,
      redriven: validInDlq.length,
      redrivenWithoutReason: validInDlq.filter((m) => m.attributes.reason === undefined).length,
      alationCalls: simStats.requests.byPath[JOB_STATUS_PATH] ?? 0,
      requeues: faultStats.requeues,
      faults: {
        ...Object.fromEntries(simFaults),
        ...(refused > 0 && { awsRefused: refused }),
        ...(faultStats.crashes > 0 && { crashes: faultStats.crashes }),
        ...(faultStats.timeouts > 0 && { timeouts: faultStats.timeouts }),
        ...(spec.rotateSecretAfterMs !== undefined && { rotations: 1 }),
        ...(refreshGrant && { tokensMinted: simStats.requests.byPath['/integration/v1/createAPIAccessToken/'] ?? 0 }),
      },
      leftOnQueue,
      tokenLeaks,
      ...(chainAccounting && { chains: chainAccounting }),
      unexpectedVerdicts: chainAccounting ? [] : verdicts.map((v) => `${jobKey(v.job)} ${v.status}`),
      durationMs: Date.now() - started,
      collected: { outcomes, dlq, logLines: scanned, sim: simStats, simRequests: [...sim.requests], faultStats, invocations },
    };
  } finally {
    await Promise.all(extraMappings.map((m) => m.stop()));
    await watch?.stop();
    await sim.stop();
  }
}
