import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Command, Option } from 'commander';
import { parseAlationBaseUrl } from '../alation/base-url';
import { createAlationClient, type AlationClient } from '../alation/client';
import { secretsManagerTokenProvider } from '../aws/secrets-manager-tokens';
import type { TokenProvider } from '../aws/token-provider';
import { validateJobReference } from '../contracts/job-reference';
import type { Outcome } from '../contracts/outcome';
import { AlationError, AlationErrorClass, ConfigError, JobWatchError, TokenSecretError } from '../errors';
import { outcomeEmailText } from '../notify/email-text';
import { safeJson, safeLine } from '../notify/safe-text';
import { buildOutcome } from '../watch/build-outcome';
import { checkJobStatus } from '../watch/check-job';
import { finalOutcomeStatus } from '../watch/statuses';
import { errorClassOf, type CheckResult } from '../watch/decide';
import { ExitCode } from './exit-codes';

/** What `check --json` prints for a job that has not finished, or could not be checked. */
export interface CheckReport {
  readonly schema: 'alation.job-check/v1';
  readonly job: { id: number } | { name: string };
  readonly status: string;
  readonly message: string | null;
  readonly polls: 1;
  readonly checkedAt: string;
  readonly error: { errorClass: string; message: string } | null;
}

export interface CheckCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly write: (text: string) => void;
  readonly writeError: (text: string) => void;
  readonly now: () => Date;
  /** Builds the Alation client; injected in tests. */
  readonly alation?: (baseUrl: string, timeoutMs: number) => AlationClient;
  /** Builds the token provider for `--token-secret-id`; injected in tests. */
  readonly secretTokens?: (secretId: string, alation: AlationClient) => TokenProvider;
}

/** `alation-job-watch check`: one status check, printed for people or as JSON. */
export function checkCommand(deps: CheckCommandDeps, setExitCode: (code: ExitCode) => void): Command {
  return new Command('check')
    .description('Check one Alation job once and print its outcome (reads ALATION_BASE_URL and ALATION_TOKEN)')
    .addOption(new Option('--id <id>', 'integer job id (query-log push)').conflicts('name'))
    .addOption(new Option('--name <name>', 'job name, e.g. "MetadataExtraction#1_2017-..." (encoded or not)'))
    .option('--json', 'print exactly one JSON object: the outcome, or a check report when the job is not final')
    .option('--base-url <url>', 'Alation base URL (default: $ALATION_BASE_URL)')
    .option('--token-secret-id <id>', 'read the token from this Secrets Manager secret instead of $ALATION_TOKEN')
    .option('--timeout-ms <ms>', 'per-request timeout', '10000')
    .addHelpText(
      'after',
      `\nExit codes: 0 successful, 3 failed, 4 partially successful, 5 still running, 6 not found,\n7 auth error, 8 Alation unreachable, 2 bad usage, 1 unexpected.`,
    )
    .action(async (options: { id?: string; name?: string; json?: boolean; baseUrl?: string; tokenSecretId?: string; timeoutMs: string }) => {
      setExitCode(await runCheck(options, deps));
    });
}

async function runCheck(
  options: { id?: string; name?: string; json?: boolean; baseUrl?: string; tokenSecretId?: string; timeoutMs: string },
  deps: CheckCommandDeps,
): Promise<ExitCode> {
  const fail = (code: ExitCode, message: string): ExitCode => {
    deps.writeError(`error: ${message}\n`);
    return code;
  };
  if (options.id === undefined && options.name === undefined) return fail(ExitCode.usage, 'give --id or --name');
  let reference;
  let baseUrl: string;
  let tokens: TokenProvider;
  let alation: AlationClient;
  try {
    reference = validateJobReference(options.id !== undefined ? { jobId: options.id } : { jobName: options.name });
    baseUrl = parseAlationBaseUrl(options.baseUrl ?? deps.env.ALATION_BASE_URL ?? '', options.baseUrl ? '--base-url' : 'ALATION_BASE_URL');
    const timeoutMs = Number(options.timeoutMs);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new ConfigError([{ field: '--timeout-ms', problem: 'must be a positive whole number' }]);
    alation = (deps.alation ?? ((url, ms) => createAlationClient({ baseUrl: url, timeoutMs: ms })))(baseUrl, timeoutMs);
    tokens = tokenProvider(options.tokenSecretId, deps, alation);
  } catch (error) {
    if (error instanceof JobWatchError) return fail(ExitCode.usage, error.message);
    throw error;
  }

  const check = await checkJobStatus(reference.job, { alation, tokens });
  const now = deps.now();
  const watch = {
    polls: 1,
    firstSeenAt: now.toISOString(),
    lastStatus: check.ok ? check.response.status : null,
    lastError: null,
    notFoundChecks: 0,
  };
  const finalStatus = check.ok ? finalOutcomeStatus(check.response.status, undefined) : undefined;
  if (check.ok && finalStatus !== undefined) {
    const outcome = buildOutcome({ reference, status: finalStatus, response: check.response, watch, publishedAt: now });
    deps.write(options.json ? `${safeJson(outcome)}\n` : outcomeEmailText(outcome));
    return exitCodeOf(outcome);
  }
  const report = checkReport(reference.job, check, now);
  deps.write(options.json ? `${safeJson(report)}\n` : describeReport(report));
  return check.ok ? ExitCode.running : exitCodeOfError(check);
}

function tokenProvider(secretId: string | undefined, deps: CheckCommandDeps, alation: AlationClient): TokenProvider {
  if (secretId) {
    if (deps.secretTokens) return deps.secretTokens(secretId, alation);
    return secretsManagerTokenProvider(secretId, new SecretsManagerClient({}), alation);
  }
  const token = deps.env.ALATION_TOKEN?.trim();
  if (!token) throw new ConfigError([{ field: 'ALATION_TOKEN', problem: 'is required (or give --token-secret-id)' }]);
  return { getToken: async () => token, invalidate: () => undefined };
}

function checkReport(job: CheckReport['job'], check: CheckResult, now: Date): CheckReport {
  return {
    schema: 'alation.job-check/v1',
    job,
    status: check.ok ? check.response.status : 'error',
    message: check.ok && typeof check.response.msg === 'string' && check.response.msg !== '' ? check.response.msg : null,
    polls: 1,
    checkedAt: now.toISOString(),
    error: check.ok ? null : { errorClass: errorClassOf(check.error), message: check.error.message },
  };
}

/** One line, whatever Alation wrote: its text is made safe for a terminal (`safe-text`). */
function describeReport(report: CheckReport): string {
  const job = 'id' in report.job ? `#${report.job.id}` : report.job.name;
  if (report.error) return `${safeLine(`Alation job ${job}: could not check (${report.error.errorClass}): ${report.error.message}`)}\n`;
  return `${safeLine(`Alation job ${job}: ${report.status}, not finished yet${report.message ? ` (${report.message})` : ''}`)}\n`;
}

function exitCodeOf(outcome: Outcome): ExitCode {
  switch (outcome.status) {
    case 'successful':
      return ExitCode.successful;
    case 'partially_successful':
      return ExitCode.partiallySuccessful;
    default:
      return ExitCode.failed;
  }
}

function exitCodeOfError(check: Extract<CheckResult, { ok: false }>): ExitCode {
  const { error } = check;
  if (error instanceof TokenSecretError) return ExitCode.auth;
  if (!(error instanceof AlationError)) return ExitCode.unexpected;
  if (error.errorClass === AlationErrorClass.auth) return ExitCode.auth;
  if (error.errorClass === AlationErrorClass.notFound) return ExitCode.notFound;
  return ExitCode.unreachable;
}
