/**
 * Runtime parity: the bundle the stack deploys (`bundleJobStatus`), run by the Node.js major of
 * the Lambda runtime (`nodejs24.x`), pinned in the lockfile as the official binary from the npm
 * registry, while the tests themselves run on the development Node. The bundle runs in a
 * process of its own (`lambda-runtime.mjs`), fed by the local event source mapping, against
 * the local SQS/SNS (fauxqs), DynamoDB (dynalite), Secrets Manager and the Alation simulator.
 * Its AWS calls are read off the wire and decided against the synthesized function role.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENTRY } from '../../infra/alation-job-watch';
import { bundleJobStatus } from '../../infra/bundling';
import { jobKey } from '../../shared/alation/job-identifier';
import { enqueueJob } from '../../shared/contracts/enqueue-job';
import type { Outcome } from '../../shared/contracts/outcome';
import { startLocalJobWatch, type LocalJobWatch } from '../../shared/local/job-watch';
import { drainQueue, toOutcomes } from '../../shared/local/outcome-collector';
import { startAlationSimulator, type AlationSimulator } from '../../shared/local/simulator';
import { allowedActions, jobStatusDeployment, judgeFunctionCalls, type FunctionDeployment } from '../iam/support/function-role';
import { AwsCallLog } from '../support/aws-calls';
import { canRunLambdaNode, lambdaNode, LAMBDA_NODE_PLATFORM, type LambdaNode } from './lambda-node';
import { lambdaEnvironment, startLambdaRuntime, type LambdaRuntime } from './lambda-runtime-process';

const JOBS = [
  { id: 301, durationMs: 0, preset: 'counts', expected: 'successful' },
  { id: 302, durationMs: 1500, preset: 'qli', expected: 'successful' },
  { id: 303, durationMs: 500, preset: 'failed', expected: 'failed' },
  { id: 304, durationMs: 2000, preset: 'partiallySuccessful', expected: 'partially_successful' },
  { id: 305, name: 'MetadataExtraction#1_2017-10-05-19-36-45', durationMs: 2500, preset: 'countsWithErrors', expected: 'successful' },
  { id: 306, durationMs: 60_000, preset: 'neverFinishes', expected: 'timed_out' },
] as const;
const UNKNOWN_JOB = 99_998;

// Under node_modules like the integration test's bundle: the few modules the bundle leaves to
// the runtime (RUNTIME_PROVIDED_MODULES) then resolve from the project, as from Lambda's SDK.
const cacheDir = fileURLToPath(new URL('../../node_modules/.cache/', import.meta.url));

let node: LambdaNode;
let deployment: FunctionDeployment;
let bundleDir: string;
let sim: AlationSimulator;
let watch: LocalJobWatch;
let runtime: LambdaRuntime | undefined;
const awsCalls = new AwsCallLog();
let outcomes: Outcome[];

describe.skipIf(!canRunLambdaNode)(`the deployed bundle on the Lambda runtime's Node.js (${LAMBDA_NODE_PLATFORM.os}-${LAMBDA_NODE_PLATFORM.cpu} only)`, () => {
  beforeAll(async () => {
    node = lambdaNode();
    deployment = jobStatusDeployment();
    mkdirSync(cacheDir, { recursive: true });
    bundleDir = mkdtempSync(join(cacheDir, 'alation-job-watch-node24-'));
    bundleJobStatus({ entry: DEFAULT_ENTRY, outdir: bundleDir });
    sim = await startAlationSimulator({ jobs: JOBS.map(({ expected: _e, ...job }) => job) });
    watch = await startLocalJobWatch({
      alationBaseUrl: sim.url,
      tokenSecretValue: sim.accessToken,
      tunables: { POLL_INITIAL_DELAY_SECONDS: '1', POLL_MAX_DELAY_SECONDS: '2', MAX_WATCH_SECONDS: '6' },
      visibilityTimeoutSeconds: 5,
      maxReceiveCount: 3,
      functionTimeoutMs: 5000,
      handler: async (functionEnv) => {
        awsCalls.addEnvironment(functionEnv);
        // startLocalJobWatch has set the local endpoints and fake credentials on process.env;
        // only those cross (no profile or session token of the developer's).
        const local = (key: string) => key.startsWith('AWS_ENDPOINT_URL_') || ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].includes(key);
        const aws = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => local(e[0]) && e[1] !== undefined));
        runtime = await startLambdaRuntime({
          nodePath: node.path,
          bundleEntry: join(bundleDir, 'index.mjs'),
          env: { ...aws, ...lambdaEnvironment('alation-job-watch-local', aws.AWS_REGION ?? 'us-east-1'), ...functionEnv },
          awsCalls,
        });
        return runtime.handler;
      },
    });
  }, 60_000);

  afterAll(async () => {
    await watch?.stop();
    await runtime?.stop();
    await sim?.stop();
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  it("runs on the pinned Node.js, whose major is the stack's Lambda runtime, while the tests run on the development Node", () => {
    const runtimeProperty = String(deployment.template.template.Resources[deployment.functionLogicalId]?.Properties?.Runtime);
    const [, lambdaMajor] = /^nodejs(\d+)\.x$/.exec(runtimeProperty) ?? [];

    expect(runtime?.nodeVersion).toBe(`v${node.pinnedVersion}`);
    expect(runtime?.nodeVersion.split('.')[0]).toBe(`v${lambdaMajor}`);
    // node_modules/.bin/node (the pinned binary) must not shadow the system Node for npm scripts.
    expect(realpathSync(process.execPath), 'vitest is running on the pinned Lambda Node: run `npm run postinstall` (see test/runtime/keep-system-node.mjs)').not.toBe(realpathSync(node.path));
  });

  it('publishes exactly one outcome per job, with the expected status', async () => {
    const { sqs } = watch.aws.clients();
    for (const job of JOBS) {
      await enqueueJob(sqs, watch.resources.jobQueue.url, 'name' in job ? { jobName: job.name, kind: 'lineage' } : { jobId: job.id, kind: 'qli' });
    }
    await enqueueJob(sqs, watch.resources.jobQueue.url, { jobId: UNKNOWN_JOB });
    await sqs.send(new SendMessageCommand({ QueueUrl: watch.resources.jobQueue.url, MessageBody: '{"jobId": "abc"}' }));

    const expectedCount = JOBS.length + 1;
    const received = await drainQueue(sqs, watch.resources.outcomeQueue.url, { until: (r) => r.length >= expectedCount, timeoutMs: 25_000 });
    // Anything still to come would be a duplicate: give it the time of a few more polls.
    received.push(...(await drainQueue(sqs, watch.resources.outcomeQueue.url, { until: () => false, timeoutMs: 3000 })));
    outcomes = toOutcomes(received);

    const byJob: Record<string, string[]> = {};
    for (const o of outcomes) (byJob[jobKey(o.job)] ??= []).push(o.status);
    expect(byJob).toEqual({
      ...Object.fromEntries(JOBS.map((j) => [jobKey('name' in j ? { name: j.name } : { id: j.id }), [j.expected]])),
      [jobKey({ id: UNKNOWN_JOB })]: ['not_found'],
    });
    expect(outcomes.find((o) => 'name' in o.job)).toMatchObject({ kind: 'lineage', hasErrors: true, result: { errorObjectCount: 1 } });
  }, 40_000);

  it('dead-letters an invalid body with its reason', async () => {
    const dead = await drainQueue(watch.aws.clients().sqs, watch.resources.deadLetterQueue.url, { until: (r) => r.length >= 1, timeoutMs: 5000 });
    expect(dead.map((m) => [m.body, m.attributes.reason])).toEqual([
      ['{"jobId": "abc"}', 'invalid job reference: jobId: must be a positive integer (a number, or a string of digits)'],
    ]);
  });

  it('logs structured JSON lines with the job, and never the token', () => {
    const records = runtime!.logLines.filter((l) => l.startsWith('{') && l.includes('"job"')).map((l) => JSON.parse(l) as { job: string; level: string });
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => /^(id|name):/.test(r.job))).toBe(true);
    expect(runtime!.logLines.join('\n')).not.toContain(sim.accessToken);
  });

  it('makes only AWS calls that the function role allows, read off the wire', async () => {
    const { refused, verdicts } = await judgeFunctionCalls(deployment, awsCalls);

    expect(refused).toEqual([]);
    expect(allowedActions(verdicts)).toEqual(
      expect.arrayContaining([
        'secretsmanager:GetSecretValue on AlationJobWatchTokenSecret',
        'sqs:SendMessage on AlationJobWatchJobQueue',
        'sqs:SendMessage on AlationJobWatchDeadLetterQueue',
        'sns:Publish on AlationJobWatchOutcomeTopic',
        'dynamodb:PutItem on AlationJobWatchIdempotencyTable',
        'dynamodb:UpdateItem on AlationJobWatchIdempotencyTable',
      ]),
    );
  });
});
