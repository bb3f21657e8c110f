import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { Command } from 'commander';
import { afterAll, beforeAll } from 'vitest';
import { provisionJobWatch, startLocalAws, type JobWatchResources, type LocalAws } from '../../shared/local/aws';

/** A command's output and exit code, run in-process. */
export interface CommandRun {
  code: number;
  out: string;
  err: string;
}

/** Runs one sub-command built by `build` with `args`, capturing what it writes. */
export async function runCommand(
  build: (io: { write: (t: string) => void; writeError: (t: string) => void }, setExitCode: (code: number) => void) => Command,
  args: string[],
): Promise<CommandRun> {
  const run: CommandRun = { code: 0, out: '', err: '' };
  const command = build({ write: (t) => (run.out += t), writeError: (t) => (run.err += t) }, (code) => (run.code = code));
  command.exitOverride().configureOutput({ writeOut: (t) => (run.out += t), writeErr: (t) => (run.err += t) });
  try {
    await command.parseAsync(args, { from: 'user' });
  } catch (error) {
    run.code = (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
  return run;
}

/** A CloudFormation client whose only stack has these outputs; it records what was sent. */
export function stackWithOutputs(outputs: Record<string, string>): Pick<CloudFormationClient, 'send'> & { sent: Array<{ input: unknown }> } {
  const sent: Array<{ input: unknown }> = [];
  return {
    sent,
    send: (async (command: { input: unknown }) => {
      sent.push(command);
      return { Stacks: [{ StackName: 'x', Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }] };
    }) as unknown as CloudFormationClient['send'],
  };
}

/**
 * Local SQS/SNS/DynamoDB/Secrets Manager for one test file, with the stack's resources
 * provisioned under `prefix`; filled in before the file's tests run, stopped after.
 */
export function localJobWatch(prefix: string): { aws: LocalAws; resources: JobWatchResources } {
  const local = {} as { aws: LocalAws; resources: JobWatchResources };
  beforeAll(async () => {
    local.aws = await startLocalAws();
    local.resources = await provisionJobWatch(local.aws, { tokenSecretValue: 'token', prefix });
  });
  afterAll(() => local.aws?.stop());
  return local;
}
