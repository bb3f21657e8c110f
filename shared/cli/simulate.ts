import { Command, InvalidArgumentError } from 'commander';
import {
  loadScenario,
  PRESET_NAMES,
  SIMULATOR_PATHS,
  startAlationSimulator,
  type FaultOptions,
  type JobDefinition,
} from '../local/simulator';

/** What `simulate` needs from outside; tests pass fakes. */
export interface SimulateDeps {
  /** @default startAlationSimulator */
  readonly start?: typeof startAlationSimulator;
  /** Where lines go. @default process.stdout */
  readonly write?: (line: string) => void;
  /** Source of SIGINT/SIGTERM. @default process */
  readonly signals?: Pick<NodeJS.EventEmitter, 'once' | 'off'>;
}

interface SimulateOptions {
  readonly port: number;
  readonly token?: string;
  readonly scenario?: string;
  readonly latencyMs?: number | readonly [number, number];
  readonly errorRate?: number;
  readonly timeoutRate?: number;
  readonly rateLimitRate?: number;
  readonly retryAfter?: number;
  readonly htmlRate?: number;
  readonly malformedRate?: number;
  readonly tokenTtlMs?: number;
  readonly seed?: number;
}

/** Demo jobs take long enough to watch a few `running` polls by hand. */
const DEMO_JOB_DURATION_MS = 5_000;

/**
 * The `simulate` sub-command: runs the Alation simulator on 127.0.0.1 until SIGINT/SIGTERM, so the
 * watcher (or curl) can be tried without a real Alation. Without `--scenario` it registers one
 * demo job per preset.
 *
 * @example
 * alation-job-watch simulate --port 8080 --token demo --error-rate 0.2 --latency-ms 100-400
 */
export function simulateCommand(deps: SimulateDeps = {}): Command {
  const start = deps.start ?? startAlationSimulator;
  const write = deps.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const signals = deps.signals ?? process;

  return new Command('simulate')
    .description('run a local simulator of Alation\'s Job Status API (loopback only)')
    .option('--port <n>', 'port on 127.0.0.1; 0 picks a free one', parseNonNegativeInteger, 0)
    .option('--token <token>', 'static access token to accept in the TOKEN header (default: random)')
    .option('--scenario <file>', 'JSON file {"jobs": [...]} of jobs to serve (default: one demo job per preset)')
    .option('--latency-ms <n|min-max>', 'delay before each job-status answer', parseLatency)
    .option('--error-rate <r>', 'share of job-status requests answered 500/502/503', parseRate)
    .option('--timeout-rate <r>', 'share of job-status requests never answered', parseRate)
    .option('--rate-limit-rate <r>', 'share of job-status requests answered 429', parseRate)
    .option('--retry-after <s>', 'Retry-After seconds on a 429', parseNonNegativeInteger)
    .option('--html-rate <r>', 'share of job-status requests answered with an HTML error page', parseRate)
    .option('--malformed-rate <r>', 'share of job-status requests answered with truncated JSON', parseRate)
    .option('--token-ttl-ms <n>', 'lifetime of access tokens in ms (default: 24 h)', parsePositiveInteger)
    .option('--seed <n>', 'seed of the fault schedule', parseNonNegativeInteger)
    .action(async (options: SimulateOptions) => {
      const jobs = options.scenario !== undefined ? await loadScenario(options.scenario) : demoJobs();
      const simulator = await start({
        port: options.port,
        ...(options.token !== undefined ? { accessTokens: [options.token] } : {}),
        ...(options.tokenTtlMs !== undefined ? { accessTokenTtlMs: options.tokenTtlMs } : {}),
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
        jobs,
        faults: faultOptions(options),
      });

      // A local demo token, printed on purpose so the user can paste it into curl or the watcher.
      write(`Alation simulator listening on ${simulator.url}`);
      write(`TOKEN header: ${simulator.accessToken}`);
      for (const job of simulator.stats().jobs) {
        const name = job.name !== undefined ? `  name=${encodeURIComponent(job.name)}` : '';
        write(`  job id=${job.id}${name}`);
      }
      write(`Example: curl -H "TOKEN: ${simulator.accessToken}" "${simulator.url}${SIMULATOR_PATHS.jobStatus}?id=1"`);
      write('Press Ctrl+C to stop.');

      await new Promise<void>((resolve) => {
        const onSignal = (): void => {
          signals.off('SIGINT', onSignal);
          signals.off('SIGTERM', onSignal);
          resolve();
        };
        signals.once('SIGINT', onSignal);
        signals.once('SIGTERM', onSignal);
      });
      await simulator.stop();
      write('Alation simulator stopped.');
    });
}

function faultOptions(options: SimulateOptions): FaultOptions {
  return {
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
    ...(options.errorRate !== undefined ? { serverErrorRate: options.errorRate } : {}),
    ...(options.timeoutRate !== undefined ? { timeoutRate: options.timeoutRate } : {}),
    ...(options.rateLimitRate !== undefined ? { rateLimitRate: options.rateLimitRate } : {}),
    ...(options.retryAfter !== undefined ? { retryAfterSeconds: options.retryAfter } : {}),
    ...(options.htmlRate !== undefined ? { htmlRate: options.htmlRate } : {}),
    ...(options.malformedRate !== undefined ? { malformedJsonRate: options.malformedRate } : {}),
  };
}

function demoJobs(): JobDefinition[] {
  return PRESET_NAMES.map((preset, index) => ({
    name: `bulk_api_job_demo_${preset}#${index + 1}`,
    durationMs: DEMO_JOB_DURATION_MS,
    preset,
  }));
}

function parseNonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
}

function parsePositiveInteger(value: string): number {
  const parsed = parseNonNegativeInteger(value);
  if (parsed === 0) throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

function parseRate(value: string): number {
  const rate = Number(value);
  if (value.trim() === '' || !(rate >= 0 && rate <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
  return rate;
}

function parseLatency(value: string): number | readonly [number, number] {
  const range = /^(\d+)-(\d+)$/.exec(value);
  if (range !== null) {
    const min = Number(range[1]);
    const max = Number(range[2]);
    if (min > max) throw new InvalidArgumentError('expected MIN-MAX with MIN <= MAX');
    return [min, max];
  }
  return parseNonNegativeInteger(value);
}
