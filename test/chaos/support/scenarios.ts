/**
 * The chaos scenarios, at two scales: `fast` (a dozen jobs each, part of `npm test`) and
 * `chaos` (a hundred or more each, `npm run test:chaos`). Same faults, same assertions.
 */
import type { JobDefinition } from '../../../shared/local/simulator';
import type { JsonValue } from '../../../shared/local/simulator/types';
import type { InvalidBody, ScenarioSpec } from './scenario';

export type Scale = 'fast' | 'chaos';

const MAX_JOB_NAME_LENGTH = 1024;
const CONTEXT_LIMIT_BYTES = 8 * 1024;

/** Bodies that must go to the DLQ, each with the reason it must carry. */
export function invalidBodies(options: { foreignBaseUrl: string }): InvalidBody[] {
  const json = (value: unknown) => JSON.stringify(value);
  return [
    { label: 'not JSON', body: 'not json {', reason: /^invalid job reference: \(body\): is not JSON/ },
    { label: 'empty (blank)', body: '   ', reason: /\(body\): is empty/ },
    { label: 'huge', body: json({ jobId: 1, context: { pad: 'x'.repeat(40 * 1024) } }), reason: /\(body\): is \d+ bytes; the limit is 32768/ },
    { label: 'jobId and jobName', body: json({ jobId: 1, jobName: 'a' }), reason: /exactly one job identifier is allowed, got jobId and jobName/ },
    { label: 'neither id nor name', body: json({ kind: 'lineage' }), reason: /one of jobId, jobName .* is required/ },
    { label: 'negative id', body: json({ jobId: -5 }), reason: /jobId: must be a positive integer/ },
    { label: 'fractional id', body: json({ jobId: 1.5 }), reason: /jobId: must be a positive integer/ },
    { label: 'negative id as string', body: json({ job_id: '-3' }), reason: /job_id: must be a positive integer/ },
    { label: 'zero id', body: json({ jobId: 0 }), reason: /jobId: must be a positive integer/ },
    { label: 'name over the limit', body: json({ jobName: 'n'.repeat(MAX_JOB_NAME_LENGTH + 1) }), reason: /jobName: must be at most 1024 characters/ },
    { label: 'name with control characters', body: json({ jobName: 'a\u0000b' }), reason: /jobName: must not contain control characters/ },
    { label: 'context over the limit', body: json({ jobId: 1, context: { pad: 'c'.repeat(CONTEXT_LIMIT_BYTES) } }), reason: /context: must serialize to at most 8192 bytes/ },
    { label: 'unknown field (typo)', body: json({ jobid: 1 }), reason: /unknown field "jobid"/ },
    { label: 'base URL in the message', body: json({ jobId: 1, baseUrl: options.foreignBaseUrl }), reason: /unknown field "baseUrl"/ },
    { label: 'Alation URL in the message', body: json({ jobId: 1, alationBaseUrl: options.foreignBaseUrl }), reason: /unknown field "alationBaseUrl"/ },
    { label: 'name of the wrong type', body: json({ jobName: 42 }), reason: /jobName: must be a string/ },
    { label: 'id of the wrong type', body: json({ jobId: true }), reason: /jobId: must be a positive integer/ },
    { label: 'context of the wrong type', body: json({ jobId: 1, context: [1, 2] }), reason: /context: must be a JSON object/ },
    { label: 'kind of the wrong type', body: json({ jobId: 1, kind: 5 }), reason: /kind: must be a string/ },
    { label: 'unsupported version', body: json({ jobId: 1, version: 2 }), reason: /version: must be 1/ },
    { label: 'array body', body: '[1,2]', reason: /\(body\): must be a JSON object, got an array/ },
    { label: 'null body', body: 'null', reason: /\(body\): must be a JSON object, got null/ },
    { label: 'forged watch state', body: json({ jobId: 1, watch: { polls: 'many' } }), reason: /^invalid job reference: watch/ },
  ];
}

/**
 * Valid job names that look like URLs or paths: they must be looked up by name on the
 * configured Alation, never change where the request goes.
 */
export function urlLikeJobNames(foreignBaseUrl: string): string[] {
  return [`${foreignBaseUrl}/api/v1/bulk_metadata/job/?id=1`, '@127.0.0.1:1/x#y', '../../integration/v1/createAPIAccessToken/', '//evil.example/job?name=a&id=2'];
}

const size = (scale: Scale, fast: number, chaos: number) => (scale === 'fast' ? fast : chaos);

/**
 * Final answers built to break a parser (issue 11), each `successful`: 150,000 error objects
 * (past the old parser's push(...spread) limit), 200 KB runs of digits and whitespace after the
 * prefixes its patterns backtracked on (about two minutes each, before), and characters SQS and
 * SNS refuse. Each must end in one outcome with its true status.
 */
export function hostileResultJobs(count: number): { definition: JobDefinition; body: string }[] {
  const run = 200_000;
  const results: JsonValue[] = [
    JSON.stringify({ number_received: 150_000, error_objects: Array.from({ length: 150_000 }, () => 'Line 1. Key: k. m') }),
    JSON.stringify({ error: '1'.repeat(run), error_objects: [`Line 1. Key: ${' '.repeat(run)}x`] }),
    `Legacy write job_id (can be tracked using jobs API)${' '.repeat(run)}`,
    { 'key \uFFFE': 'lone \uD800', error: 'x\uFFFF', list: ['\uDC00'] },
  ];
  return Array.from({ length: count }, (_, i) => ({
    definition: { id: 8000 + i, body: { status: 'successful', result: results[i % results.length] as JsonValue } },
    body: JSON.stringify({ jobId: 8000 + i, kind: 'chaos' }),
  }));
}

export function scenarioSpecs(scale: Scale, options: { foreignBaseUrl: string }): Record<string, ScenarioSpec> {
  const specs: ScenarioSpec[] = [
    {
      name: 'alation-5xx',
      proves: '20 % of checks answered 500/502/503: each is re-sent with a backoff, every job still ends once with its real status',
      jobs: size(scale, 12, 120),
      alationFaults: { serverErrorRate: 0.2 },
    },
    {
      name: 'alation-slow-and-hanging',
      proves: 'latency up to the client timeout and 10 % of requests never answered: timeouts are retried, no batch overruns, no job lost',
      jobs: size(scale, 12, 100),
      alationFaults: { latencyMs: [0, 700], timeoutRate: 0.1 },
      tunables: { ALATION_TIMEOUT_MS: '700' },
      functionTimeoutMs: 3000,
    },
    {
      name: 'alation-429-html-json',
      proves: '429 with Retry-After, HTML error pages and truncated JSON: all classed retryable, every job ends once',
      jobs: size(scale, 12, 100),
      alationFaults: { rateLimitRate: 0.15, retryAfterSeconds: 1, htmlRate: 0.1, malformedJsonRate: 0.1 },
    },
    {
      name: 'token-expires-mid-run',
      proves: 'minted access tokens expire every second (refresh-token secret): 401 → mint anew → retry, no job fails, no token leaks',
      jobs: size(scale, 12, 100),
      maxDurationMs: 3000,
      mintedTokenTtlMs: 1000,
      alationFaults: { serverErrorRate: 0.05 },
    },
    {
      name: 'secret-rotated-mid-run',
      proves: 'the token is revoked and the secret rotated while jobs run: the secret is re-read on 401, nothing lost or failed',
      jobs: size(scale, 12, 100),
      maxDurationMs: 3000,
      rotateSecretAfterMs: 1200,
    },
    {
      name: 'sns-publish-failing',
      proves: '30 % of SNS Publish calls refused: the record is retried (idempotency record released), published exactly once',
      jobs: size(scale, 12, 100),
      awsFaults: { publishFailureRate: 0.3 },
    },
    {
      name: 'sns-publish-down',
      proves: 'every SNS Publish refused: each job fails all its maxReceiveCount deliveries and the function writes it to the DLQ on the last one, with the reason',
      jobs: size(scale, 4, 20),
      awsFaults: { publishFailureRate: 1 },
      // Deliveries come back after 2 s, so five of them fit the test.
      visibilityTimeoutSeconds: 2,
      functionTimeoutMs: 2000,
    },
    {
      name: 'sns-batch-partially-failing',
      proves: '25 % of the entries of each SNS PublishBatch refused alone: only their records are retried (idempotency records released), every job published exactly once',
      jobs: size(scale, 12, 100),
      awsFaults: { publishEntryFailureRate: 0.25 },
    },
    {
      name: 'sqs-requeue-failing',
      proves: '30 % of re-send requests (SendMessageBatch) refused: the original stays on the queue and comes back, no chain is dropped',
      jobs: size(scale, 12, 100),
      awsFaults: { requeueFailureRate: 0.3 },
      maxDurationMs: size(scale, 3000, 2000),
    },
    {
      name: 'sqs-batch-partially-failing',
      proves: '25 % of the entries of each SendMessageBatch (re-sends and DLQ writes) refused alone: only their records are retried, every job still ends once',
      jobs: size(scale, 12, 100),
      awsFaults: { batchEntryFailureRate: 0.25 },
      // Jobs that run a few seconds, so there are re-sends to refuse at the fast scale too.
      maxDurationMs: size(scale, 3000, 2000),
      invalidBodies: invalidBodies(options).slice(0, size(scale, 3, 10)),
    },
    {
      name: 'idempotency-store-failing',
      proves: '20 % of idempotency-table calls refused, and half the saves after a Publish: retried where needed, never doubled',
      jobs: size(scale, 12, 100),
      awsFaults: { idempotencyFailureRate: 0.2, idempotencySaveFailureRate: 0.5 },
    },
    {
      name: 'crash-mid-batch',
      proves: 'the runtime dies before an AWS call after some records were re-sent or published: the batch comes back, forked chains end quietly',
      jobs: size(scale, 12, 100),
      // Per AWS call: at 100 jobs a batch makes ~25 calls, so 2 % kills about a third of batches.
      awsFaults: { crashRate: size(scale, 0.15, 0.02) },
      // One record at a time, so a crash never catches another record between its Publish
      // and its idempotency save (that window is the next scenario).
      tunables: { RECORD_CONCURRENCY: '1' },
      functionTimeoutMs: 2000,
      visibilityTimeoutSeconds: 3,
    },
    {
      name: 'crash-after-publish',
      proves: 'the runtime dies between a successful Publish and the idempotency save: nothing lost; the outcome is published again after the in-progress record expires (same notificationId)',
      jobs: size(scale, 8, 40),
      awsFaults: { crashBeforeSaveRate: size(scale, 0.5, 0.15) },
      tunables: { RECORD_CONCURRENCY: '1' },
      batchSize: 5,
      functionTimeoutMs: 2000,
      visibilityTimeoutSeconds: 3,
      knownDuplicates: 'at-least-once window between SNS Publish and the idempotency save',
    },
    {
      name: 'timeout-mid-batch',
      proves: 'slow Alation near the function timeout: records that cannot finish in time are stopped and retried (time budget), a timed-out batch is redelivered whole; no loss, no double outcome',
      jobs: size(scale, 12, 100),
      alationFaults: { latencyMs: [0, 900] },
      tunables: { RECORD_CONCURRENCY: '2', ALATION_TIMEOUT_MS: '1000' },
      batchSize: 4,
      functionTimeoutMs: 1500,
      visibilityTimeoutSeconds: 2,
      maxReceiveCount: 10,
    },
    {
      name: 'concurrent-invocations',
      proves: '4 invocations at once in one environment (Lambda Managed Instances) under SNS, SQS and Alation faults: each failure in its own batchItemFailures, no job lost',
      jobs: size(scale, 40, 200),
      concurrency: 4,
      sharedEnvironment: true,
      batchSize: 5,
      alationFaults: { serverErrorRate: 0.1, latencyMs: [0, 50] },
      awsFaults: { publishFailureRate: 0.2, requeueFailureRate: 0.2 },
      // Four invocations share the process (and this machine's cores): a longer timeout keeps the
      // scaled time reserves (a quarter of the invocation) above what a publish takes under that load.
      functionTimeoutMs: 6000,
      visibilityTimeoutSeconds: 6,
      // A record retried several times waits 6 s each time: keep the deadline out of the way.
      tunables: { MAX_WATCH_SECONDS: '120' },
    },
    {
      name: 'duplicate-delivery',
      proves: 'half the jobs are delivered twice: two poll chains per job, one outcome per job',
      jobs: size(scale, 12, 100),
      duplicateShare: 0.5,
    },
    {
      name: 'deadline',
      proves: 'half the jobs never finish: they end as timed_out at MAX_WATCH_SECONDS (3 s) with lastStatus running, the others with their status',
      jobs: size(scale, 12, 100),
      neverFinishesShare: 0.5,
      tunables: { MAX_WATCH_SECONDS: '3' },
    },
    {
      name: 'deadline-alation-down',
      proves: 'every check fails (HTTP 503): each job ends as timed_out at the deadline with lastError server_error, none lost',
      jobs: size(scale, 6, 40),
      expectStatus: 'timed_out',
      alationFaults: { serverErrorRate: 1, serverErrorStatuses: [503] },
      tunables: { MAX_WATCH_SECONDS: '3' },
    },
    {
      name: 'hostile-results',
      proves: 'final answers built to break the parser (150,000 error objects, 200 KB runs of digits and whitespace, unsendable characters) among normal jobs: each ends once with its true status',
      jobs: size(scale, 4, 40),
      extraJobs: hostileResultJobs(size(scale, 4, 24)),
      // A batch of 3 MB answers takes seconds of CPU on a busy machine: the deployed timeout
      // (60 s) rather than the other scenarios' 3 s, so timeouts do not fork the chains.
      functionTimeoutMs: 30_000,
      visibilityTimeoutSeconds: 40,
    },
    {
      name: 'follow-up-chains',
      proves:
        'roots whose results name 0–3 follow-ups (some nested to depth 2, some failing, unknown or never finishing, some past FOLLOW_UP_MAX_DEPTH or six at once), under crashes mid-batch and after publish, refused SNS publishes and duplicate delivery: every watched job ends once, every chain gets one verdict, the worst of its published outcomes',
      jobs: size(scale, 12, 200),
      // Fast: three generations of jobs, each a few checks, inside the test's budget.
      maxDurationMs: size(scale, 600, 2000),
      followUpChains: { maxDepth: 2, neverFinishing: scale === 'chaos' },
      duplicateShare: 0.2,
      // Per AWS call; a record that ends a chain job makes several (chain writes, sends, publish, save).
      awsFaults: { crashRate: size(scale, 0.005, 0.005), crashBeforeSaveRate: size(scale, 0.01, 0.01), publishFailureRate: 0.2 },
      // Small batches: a crash sends a whole batch back, and every record in it counts a receive.
      batchSize: 5,
      // Depth 2 below FOLLOW_UP_MAX_DEPTH's default of 3, so "past the depth bound" needs no 4th generation.
      // An unknown follow-up ends not_found after 5 checks, if its deadline does not come first: at
      // 600 jobs two emulated mappings fall behind (about 12 s between a job's checks on this
      // machine, 3 checks in 30 s), so the deadline is longer at scale; never-finishing follow-ups wait for it.
      tunables: { FOLLOW_UP_MAX_DEPTH: '2', RECORD_CONCURRENCY: '2', MAX_WATCH_SECONDS: scale === 'fast' ? '30' : '90' },
      // Fast: a crashed batch is back after 2 s, not 3.
      functionTimeoutMs: size(scale, 2000, 3000),
      visibilityTimeoutSeconds: size(scale, 2, 3),
      maxReceiveCount: 8,
      timeoutMs: size(scale, 60_000, 360_000),
      knownDuplicates: 'at-least-once window between SNS Publish and the idempotency save (a job or a verdict), same notificationId',
    },
    {
      name: 'bad-input',
      proves: '23 kinds of invalid body mixed into batches of valid jobs: each to the DLQ with its reason, the valid jobs unaffected',
      jobs: size(scale, 10, 80),
      invalidBodies: invalidBodies(options),
      extraJobs: urlLikeJobNames(options.foreignBaseUrl).map((name, i) => ({
        definition: { id: 9000 + i, name, preset: 'counts' },
        body: JSON.stringify({ jobName: name, kind: 'chaos' }),
      })),
    },
  ];
  // Fast mode: jobs end within about a second unless the scenario needs them running longer.
  const scaled = scale === 'fast' ? specs.map((s) => ({ ...s, maxDurationMs: s.maxDurationMs ?? 1200 })) : specs;
  return Object.fromEntries(scaled.map((s) => [s.name, s]));
}
