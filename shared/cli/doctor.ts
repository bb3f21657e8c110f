import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_TOKEN_WARN_DAYS } from '../alation/token-lifetime';
import { toSendableText } from '../contracts/sendable-text';
import type { CheckResult, CheckStatus, DoctorCheck, DoctorClients, DoctorContext } from './doctor-checks';
import { ExitCode, usageReporter } from './exit-codes';

/** Exit codes of `doctor`: scripts and CI gates branch on them. */
export const DoctorExitCode = {
  /** Every check passed (warnings allowed). */
  healthy: 0,
  unexpected: ExitCode.unexpected,
  usage: ExitCode.usage,
  /** At least one check failed. */
  unhealthy: 3,
  /** Nothing failed, but some checks could not run (permission, timeout). */
  incomplete: 4,
} as const;

/** What `doctor --json` prints. */
export interface DoctorReport {
  readonly schema: 'alation.job-doctor/v1';
  readonly stack: string;
  readonly healthy: boolean;
  readonly checks: readonly CheckResult[];
}

/** What `doctor` needs from outside; tests pass local clients. */
export interface DoctorCommandDeps {
  readonly write: (text: string) => void;
  readonly writeError: (text: string) => void;
  /** @default clients built from the environment (region, credentials, AWS_ENDPOINT_URL_*) */
  readonly clients?: () => DoctorClients;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  /** @default DOCTOR_CHECKS */
  readonly checks?: readonly DoctorCheck[];
}

interface DoctorOptions {
  readonly stack?: string;
  readonly json?: boolean;
  readonly timeoutSeconds: number;
  readonly warnDays: number;
  readonly alationUrl?: string;
}

const SYMBOL: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', unknown: '?' };

/**
 * `alation-job-watch doctor --stack NAME`: checks a deployed (or `npm start --stay`) stack end
 * to end with read-only calls and prints a checklist with what is wrong and how to fix it.
 */
export function doctorCommand(deps: DoctorCommandDeps, setExitCode: (code: number) => void): Command {
  return new Command('doctor')
    .description('Check a deployed stack end to end (read-only) and print a checklist with fixes')
    .option('--stack <name>', 'the CloudFormation stack (the local one: alation-job-watch-local)')
    .option('--json', 'print exactly one JSON object')
    .option('--timeout-seconds <n>', 'give up on a check after this long', parsePositiveInteger, 10)
    .option('--warn-days <n>', 'warn when the refresh token expires within this many days', parsePositiveInteger, DEFAULT_TOKEN_WARN_DAYS)
    .option('--alation-url <url>', "Alation's URL, when the function's configuration cannot be read")
    .addHelpText('after', '\nExit codes: 0 healthy (warnings allowed), 3 a check failed, 4 some checks could not run, 2 bad usage, 1 unexpected error.')
    .action(async (options: DoctorOptions) => {
      setExitCode(await runDoctor(options, deps));
    });
}

async function runDoctor(options: DoctorOptions, deps: DoctorCommandDeps): Promise<number> {
  if (options.stack === undefined) return usageReporter(deps.writeError)('give --stack NAME');
  // Loaded when doctor runs, not when the CLI starts: the Lambda and CloudWatch clients are
  // needed by no other command.
  const { DOCTOR_CHECKS, runCheck } = await import('./doctor-checks');
  const owned = deps.clients ? undefined : await defaultClients();
  const context: DoctorContext = {
    stackName: options.stack,
    clients: deps.clients?.() ?? owned!,
    fetch: deps.fetch ?? globalThis.fetch,
    now: deps.now ?? (() => new Date()),
    warnDays: options.warnDays,
    alationUrl: options.alationUrl,
  };
  try {
    const checks: CheckResult[] = [];
    for (const check of deps.checks ?? DOCTOR_CHECKS) {
      const result = await runCheck(check, context, options.timeoutSeconds * 1000);
      checks.push(result);
      if (!options.json) deps.write(render(result));
    }
    const failed = checks.some((c) => c.status === 'fail');
    const incomplete = checks.some((c) => c.status === 'unknown');
    const report: DoctorReport = { schema: 'alation.job-doctor/v1', stack: options.stack, healthy: !failed && !incomplete, checks };
    if (options.json) deps.write(`${JSON.stringify(report)}\n`);
    else deps.write(`\n${failed ? `Unhealthy: ${count(checks, 'fail')} check(s) failed.` : incomplete ? `Incomplete: ${count(checks, 'unknown')} check(s) could not run.` : 'Healthy.'}\n`);
    return failed ? DoctorExitCode.unhealthy : incomplete ? DoctorExitCode.incomplete : DoctorExitCode.healthy;
  } finally {
    if (owned) for (const client of Object.values(owned)) (client as { destroy(): void }).destroy();
  }
}

function render(result: CheckResult): string {
  // Details can quote remote text (Alation's `detail`, AWS messages): made safe for a terminal.
  const line = (text: string) => toSendableText(text).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  const details = result.details.map((d) => `    ${line(d)}\n`).join('');
  const fix = result.fix ? `    → ${line(result.fix)}\n` : '';
  return `${SYMBOL[result.status]} ${result.title}\n${details}${fix}`;
}

const count = (checks: readonly CheckResult[], status: CheckStatus) => checks.filter((c) => c.status === status).length;

async function defaultClients(): Promise<DoctorClients> {
  const [{ CloudFormationClient }, { CloudWatchClient }, { LambdaClient }, { SecretsManagerClient }, { SNSClient }, { SQSClient }] = await Promise.all([
    import('@aws-sdk/client-cloudformation'),
    import('@aws-sdk/client-cloudwatch'),
    import('@aws-sdk/client-lambda'),
    import('@aws-sdk/client-secrets-manager'),
    import('@aws-sdk/client-sns'),
    import('@aws-sdk/client-sqs'),
  ]);
  // The SDK's own retries stay on, but each check's timeout bounds them.
  return {
    cloudFormation: new CloudFormationClient({}),
    lambda: new LambdaClient({}),
    sqs: new SQSClient({}),
    sns: new SNSClient({}),
    secretsManager: new SecretsManagerClient({}),
    cloudWatch: new CloudWatchClient({}),
  };
}

function parsePositiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) === 0) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}
