import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseAlationBaseUrl } from '../alation/base-url';
import { jobKey } from '../alation/job-identifier';
import type { EnqueueJobInput } from '../contracts/enqueue-job';
import { validateJobReference } from '../contracts/job-reference';
import type { Outcome } from '../contracts/outcome';
import { ConfigError, JobWatchError } from '../errors';
import {
  DEFAULT_DEMO_DEADLINE_SECONDS,
  MIN_DEMO_DEADLINE_SECONDS,
  runDemo,
  runWatchSession,
  type SessionJob,
  type WatchSessionResult,
} from '../local/demo';
import type { LocalJobWatch } from '../local/job-watch';
import { ExitCode, usageReporter } from './exit-codes';

/**
 * Exit codes of `start`. With the simulator (the demo) they say whether the watcher behaved;
 * against a real Alation they say how the jobs ended, worst first, as `check` does.
 */
export const StartExitCode = {
  ...ExitCode,
  /** Demo: a job did not get its expected outcome (the differences are printed). */
  notAsExpected: 9,
  /** Stopped by Ctrl-C (128 + SIGINT), after stopping everything it started. */
  interrupted: 130,
  /** Stopped by SIGTERM (128 + 15). */
  terminated: 143,
} as const;

/** What `start` needs from outside; tests pass fakes. */
export interface StartCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Where the view and table go. Must not look `process.stdout.write` up at call time: the
   * session sends the handler's own stdout to its log file while it runs.
   */
  readonly write: (text: string) => void;
  readonly writeError: (text: string) => void;
  /** Draw the live view in place. @default process.stdout.isTTY */
  readonly tty: boolean;
  /** Source of SIGINT/SIGTERM. @default process */
  readonly signals?: Pick<NodeJS.EventEmitter, 'once' | 'off'>;
  /** Reads the token from a real Secrets Manager secret (`--token-secret-id`). */
  readonly readSecret?: (secretId: string) => Promise<string>;
  readonly now?: () => Date;
  /** @default runDemo */
  readonly runDemo?: typeof runDemo;
  /** @default runWatchSession */
  readonly runWatchSession?: typeof runWatchSession;
}

interface StartOptions {
  readonly alationUrl?: string;
  readonly tokenSecretId?: string;
  readonly id: string[];
  readonly name: string[];
  readonly jobsFile?: string;
  readonly kind?: string;
  readonly deadlineSeconds?: number;
  readonly maxDelaySeconds: number;
  readonly outDir?: string;
  readonly plain?: boolean;
  readonly stay?: boolean;
}

/** Real mode: checks no more often than this by default, to be gentle with a real Alation. */
const REAL_DEFAULT_DEADLINE_SECONDS = 3_600;

/**
 * `alation-job-watch start` (what `npm start` runs): the whole watcher on loopback. Without
 * `--alation-url` it is the demo, against the Alation simulator; with it, it watches the given
 * jobs on a real Alation with the same local AWS stand-ins.
 */
export function startCommand(deps: StartCommandDeps, setExitCode: (code: number) => void): Command {
  const collect = (value: string, previous: string[]) => [...previous, value];
  return new Command('start')
    .description('Run the whole watcher locally (SQS/SNS, DynamoDB, Secrets Manager stand-ins on loopback): a demo against the Alation simulator, or real jobs with --alation-url')
    .option('--alation-url <url>', 'watch real jobs on this Alation (https://) instead of running the demo')
    .option('--token-secret-id <id>', 'with --alation-url: read the token from this (real) Secrets Manager secret instead of $ALATION_TOKEN')
    .option('--id <id>', 'with --alation-url: a job id to watch (repeatable)', collect, [])
    .option('--name <name>', 'with --alation-url: a job name to watch (repeatable)', collect, [])
    .option('--jobs-file <file>', 'with --alation-url: jobs to watch, one a line: an id, a name, or a JSON job reference')
    .option('--kind <kind>', 'with --alation-url: kind given to every job')
    .option('--deadline-seconds <n>', `MAX_WATCH_SECONDS: give up on a job after this (demo: ${DEFAULT_DEMO_DEADLINE_SECONDS}, min ${MIN_DEMO_DEADLINE_SECONDS}; real: ${REAL_DEFAULT_DEADLINE_SECONDS})`, parsePositiveInteger)
    .option('--max-delay-seconds <n>', 'with --alation-url: POLL_MAX_DELAY_SECONDS, the longest wait between checks', parsePositiveInteger, 30)
    .option('--out-dir <dir>', 'where outcomes.jsonl and handler.log go (default: .local/start-<time>)')
    .addOption(new Option('--plain', 'print progress lines instead of redrawing (the default when stdout is not a terminal)'))
    .option('--stay', 'when the jobs are done, keep the local stack up (for doctor and notify-test) until Ctrl-C')
    .addHelpText(
      'after',
      `\nExit codes: demo: 0 every job got its expected outcome, 9 one did not (the differences are printed);\n` +
        `real: 0 all successful, 3 a job failed, 6 not found, 5 timed out or no outcome, 4 partially successful.\n` +
        `Both: 2 bad usage, 1 unexpected error, 130 Ctrl-C, 143 SIGTERM (everything started is stopped first).`,
    )
    .action(async (options: StartOptions) => {
      setExitCode(await runStart(options, deps));
    });
}

async function runStart(options: StartOptions, deps: StartCommandDeps): Promise<number> {
  const now = deps.now ?? (() => new Date());
  const usage = usageReporter(deps.writeError);
  const realOnly = [options.tokenSecretId && '--token-secret-id', options.id.length > 0 && '--id', options.name.length > 0 && '--name', options.jobsFile && '--jobs-file', options.kind && '--kind'].filter(Boolean);
  if (options.alationUrl === undefined && realOnly.length > 0) return usage(`${realOnly.join(', ')} need --alation-url (without it, start runs the demo)`);
  if (options.alationUrl === undefined && options.deadlineSeconds !== undefined && options.deadlineSeconds < MIN_DEMO_DEADLINE_SECONDS) {
    return usage(`--deadline-seconds must be at least ${MIN_DEMO_DEADLINE_SECONDS} for the demo`);
  }

  const outDir = resolve(options.outDir ?? `.local/start-${now().toISOString().replace(/[:.]/g, '-')}`);
  const output = { write: deps.write, tty: deps.tty && !options.plain };
  const abort = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const signals = deps.signals ?? process;
  const onSignal = (signal: NodeJS.Signals) => () => {
    signalled ??= signal;
    deps.writeError(`\n${signal}: stopping everything…\n`);
    abort.abort();
  };
  const onInt = onSignal('SIGINT');
  const onTerm = onSignal('SIGTERM');
  // `once`: a second Ctrl-C falls through to Node's default and ends the process at once.
  signals.once('SIGINT', onInt);
  signals.once('SIGTERM', onTerm);
  try {
    if (options.alationUrl === undefined) {
      const result = await (deps.runDemo ?? runDemo)({
        output,
        outDir,
        signal: abort.signal,
        ...(options.stay ? { stay: stayUntil(abort.signal, outDir, deps.write) } : {}),
        ...(options.deadlineSeconds !== undefined ? { deadlineSeconds: options.deadlineSeconds } : {}),
      });
      // With --stay, Ctrl-C after the jobs ended is how the run ends, not an interruption.
      if (signalled && result.interrupted) return signalled === 'SIGINT' ? StartExitCode.interrupted : StartExitCode.terminated;
      deps.write(result.asExpected ? `Every demo job got its expected outcome (${seconds(result.durationMs)}).\n` : `Some demo jobs did not get their expected outcome (${seconds(result.durationMs)}).\n`);
      return result.asExpected ? StartExitCode.successful : StartExitCode.notAsExpected;
    }

    let prepared: { baseUrl: string; token: string; jobs: SessionJob[] };
    try {
      prepared = await prepareRealRun(options, deps);
    } catch (error) {
      if (error instanceof JobWatchError) return usage(error.message);
      throw error;
    }
    const deadlineSeconds = options.deadlineSeconds ?? REAL_DEFAULT_DEADLINE_SECONDS;
    output.write(`Watching ${prepared.jobs.length} job(s) on ${prepared.baseUrl} (deadline ${deadlineSeconds} s), with local SQS/SNS, DynamoDB and Secrets Manager. Ctrl-C stops everything.\n\n`);
    const result = await (deps.runWatchSession ?? runWatchSession)({
      alationBaseUrl: prepared.baseUrl,
      tokenSecretValue: prepared.token,
      tunables: {
        POLL_INITIAL_DELAY_SECONDS: '1',
        POLL_MAX_DELAY_SECONDS: String(options.maxDelaySeconds),
        MAX_WATCH_SECONDS: String(deadlineSeconds),
      },
      deadlineSeconds,
      jobs: prepared.jobs,
      output,
      outDir,
      signal: abort.signal,
      graceMs: 60_000,
      ...(options.stay ? { stay: stayUntil(abort.signal, outDir, deps.write) } : {}),
    });
    if (signalled && result.interrupted) return signalled === 'SIGINT' ? StartExitCode.interrupted : StartExitCode.terminated;
    return exitCodeOfRun(result);
  } finally {
    signals.off('SIGINT', onInt);
    signals.off('SIGTERM', onTerm);
  }
}

/**
 * `--stay`: writes the local stack's environment (endpoints, region, fake credentials; no
 * token) to `stack.env` and prints how to point `doctor` and `notify-test` at it, then waits for
 * Ctrl-C with everything still running.
 */
export function stayUntil(signal: AbortSignal, outDir: string, write: (text: string) => void): (watch: LocalJobWatch) => Promise<void> {
  return async (watch) => {
    const envFile = join(outDir, 'stack.env');
    writeFileSync(envFile, Object.entries(watch.aws.env()).map(([key, value]) => `${key}=${value}\n`).join(''));
    const run = `env $(cat ${envFile}) npx alation-job-watch`;
    write(
      `\nThe local stack "${watch.stackName}" stays up until Ctrl-C. From another terminal in this checkout:\n` +
        `  ${run} doctor --stack ${watch.stackName}\n` +
        `  ${run} notify-test --stack ${watch.stackName} --verify\n`,
    );
    if (signal.aborted) return;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  };
}

/** Validates the real-mode flags and reads the token, before any local endpoint starts. */
async function prepareRealRun(options: StartOptions, deps: StartCommandDeps): Promise<{ baseUrl: string; token: string; jobs: SessionJob[] }> {
  const baseUrl = parseAlationBaseUrl(options.alationUrl ?? '', '--alation-url');
  const kind = options.kind !== undefined ? { kind: options.kind } : {};
  const references: EnqueueJobInput[] = [
    ...options.id.map((id) => ({ jobId: id, ...kind })),
    ...options.name.map((name) => ({ jobName: name, ...kind })),
    ...(options.jobsFile !== undefined ? parseJobsFile(await readFile(options.jobsFile, 'utf8'), kind) : []),
  ];
  if (references.length === 0) throw new ConfigError([{ field: '--id/--name/--jobs-file', problem: 'give at least one job to watch' }]);
  const jobs = new Map<string, SessionJob>();
  for (const reference of references) {
    // Validated here so a typo is a usage error, not a dead letter.
    const key = jobKey(validateJobReference(reference).job);
    jobs.set(key, { key, message: { reference } });
  }
  // The token is read now, from the real Secrets Manager: once the local stand-ins start,
  // AWS_ENDPOINT_URL_SECRETS_MANAGER points the SDK at the local one.
  const token = options.tokenSecretId !== undefined ? await (deps.readSecret ?? readRealSecret)(options.tokenSecretId) : deps.env.ALATION_TOKEN?.trim();
  if (!token) throw new ConfigError([{ field: 'ALATION_TOKEN', problem: 'is required with --alation-url (or give --token-secret-id)' }]);
  return { baseUrl, token, jobs: [...jobs.values()] };
}

/** One job a line: digits are an id, `{…}` a JSON job reference, anything else a name. */
export function parseJobsFile(text: string, defaults: { kind?: string } = {}): EnqueueJobInput[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line, index) => {
      if (/^\d+$/.test(line)) return { jobId: line, ...defaults };
      if (line.startsWith('{')) {
        try {
          return { ...defaults, ...(JSON.parse(line) as EnqueueJobInput) };
        } catch {
          throw new ConfigError([{ field: `--jobs-file line ${index + 1}`, problem: 'starts with { but is not JSON' }]);
        }
      }
      return { jobName: line, ...defaults };
    });
}

async function readRealSecret(secretId: string): Promise<string> {
  const client = new SecretsManagerClient({});
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!SecretString) throw new ConfigError([{ field: '--token-secret-id', problem: 'the secret has no string value' }]);
    return SecretString;
  } finally {
    client.destroy();
  }
}

/** The worst outcome decides, in the order an operator would act on it. */
export function exitCodeOfRun(result: Pick<WatchSessionResult, 'outcomes' | 'complete'>): number {
  const statuses = new Set<Outcome['status']>(result.outcomes.map((o) => o.status));
  if (statuses.has('failed')) return StartExitCode.failed;
  if (statuses.has('not_found')) return StartExitCode.notFound;
  if (statuses.has('timed_out') || !result.complete) return StartExitCode.running;
  if (statuses.has('partially_successful')) return StartExitCode.partiallySuccessful;
  return StartExitCode.successful;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function parsePositiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) === 0) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}
