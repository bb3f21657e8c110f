import { SQSClient } from '@aws-sdk/client-sqs';
import { Command, Option } from 'commander';
import { jobLabel } from '../alation/job-identifier';
import { enqueueJob, type EnqueueJobInput } from '../contracts/enqueue-job';
import { serializeJobReference } from '../contracts/job-reference';
import { ConfigError, JobWatchError } from '../errors';
import { ExitCode, usageReporter } from './exit-codes';
import { readStackOutputs, StackOutput, type CloudFormationLike } from './stack-outputs';

/** What `enqueue --json` prints. */
export interface EnqueueReport {
  readonly schema: 'alation.job-enqueue/v1';
  readonly queueUrl: string;
  readonly messageId: string;
  /** The job reference as the watcher will read it (canonical field names, name decoded). */
  readonly reference: Record<string, unknown>;
}

/** What `enqueue` needs from outside; tests pass local clients. */
export interface EnqueueCommandDeps {
  readonly write: (text: string) => void;
  readonly writeError: (text: string) => void;
  /** @default a client from the environment (region, credentials, AWS_ENDPOINT_URL_SQS) */
  readonly sqs?: () => Pick<SQSClient, 'send'>;
  readonly cloudFormation?: () => CloudFormationLike;
}

interface EnqueueOptions {
  readonly id?: string;
  readonly name?: string;
  readonly kind?: string;
  readonly context?: string;
  readonly queueUrl?: string;
  readonly stack?: string;
  readonly json?: boolean;
}

/**
 * `alation-job-watch enqueue`: sends one job reference to the job queue exactly as an upstream
 * Lambda would (`enqueueJob`, so the same validation), for trying a deployment by hand.
 */
export function enqueueCommand(deps: EnqueueCommandDeps, setExitCode: (code: number) => void): Command {
  return new Command('enqueue')
    .description('Send one job to the job queue to be watched (validated as upstream producers are)')
    .addOption(new Option('--id <id>', 'integer job id').conflicts('name'))
    .option('--name <name>', 'job name, e.g. "MetadataExtraction#1_2017-..." (encoded or not)')
    .option('--kind <kind>', 'which API produced the job; published as the `kind` attribute')
    .option('--context <json>', 'JSON object passed through untouched to the outcome')
    .addOption(new Option('--queue-url <url>', 'the job queue').conflicts('stack'))
    .option('--stack <name>', 'read the job queue URL from this deployed stack\'s JobQueueUrl output')
    .option('--json', 'print exactly one JSON object: queue URL, message id and the reference sent')
    .addHelpText('after', '\nExit codes: 0 sent, 2 bad usage or invalid reference (nothing sent), 1 the send failed.')
    .action(async (options: EnqueueOptions) => {
      setExitCode(await runEnqueue(options, deps));
    });
}

async function runEnqueue(options: EnqueueOptions, deps: EnqueueCommandDeps): Promise<number> {
  const usage = usageReporter(deps.writeError);
  if (options.id === undefined && options.name === undefined) return usage('give --id or --name');
  if (options.queueUrl === undefined && options.stack === undefined) return usage('give --queue-url or --stack');
  let input: EnqueueJobInput;
  try {
    input = {
      ...(options.id !== undefined ? { jobId: options.id } : { jobName: options.name! }),
      ...(options.kind !== undefined ? { kind: options.kind } : {}),
      ...(options.context !== undefined ? { context: parseContext(options.context) } : {}),
    };
  } catch (error) {
    if (error instanceof JobWatchError) return usage(error.message);
    throw error;
  }

  let queueUrl: string;
  try {
    queueUrl =
      options.queueUrl ??
      (await readStackOutputs(options.stack!, [StackOutput.jobQueueUrl], deps.cloudFormation?.()))[StackOutput.jobQueueUrl];
  } catch (error) {
    if (error instanceof JobWatchError) return usage(error.message);
    throw error;
  }

  const sqs = deps.sqs?.() ?? new SQSClient({});
  let sent;
  try {
    sent = await enqueueJob(sqs, queueUrl, input);
  } catch (error) {
    // An invalid reference is refused before anything is sent.
    if (error instanceof JobWatchError) return usage(error.message);
    throw error;
  } finally {
    if (!deps.sqs && sqs instanceof SQSClient) sqs.destroy();
  }
  const { job, kind } = sent.reference;
  const report: EnqueueReport = {
    schema: 'alation.job-enqueue/v1',
    queueUrl,
    messageId: sent.messageId,
    reference: JSON.parse(serializeJobReference(sent.reference)) as Record<string, unknown>,
  };
  deps.write(
    options.json
      ? `${JSON.stringify(report)}\n`
      : `Enqueued job ${jobLabel(job)}${kind ? ` (${kind})` : ''} on ${queueUrl}\nmessage id ${sent.messageId}\n`,
  );
  return ExitCode.successful;
}

function parseContext(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError([{ field: '--context', problem: 'is not JSON' }]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError([{ field: '--context', problem: 'must be a JSON object' }]);
  }
  return value as Record<string, unknown>;
}
