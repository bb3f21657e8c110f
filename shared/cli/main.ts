import { Command, CommanderError } from 'commander';
import { checkCommand } from './check';
import { doctorCommand } from './doctor';
import { notifyTestCommand } from './notify-test';
import { ExitCode } from './exit-codes';
import { simulateCommand } from './simulate';
import { enqueueCommand } from './enqueue';
import { redriveCommand } from './redrive';
import { replayCommand } from './replay';
import { startCommand } from './start';
import { tailCommand } from './tail';

export interface MainDeps {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly write?: (text: string) => void;
  readonly writeError?: (text: string) => void;
  readonly now?: () => Date;
}

/**
 * The `alation-job-watch` command line. Returns the exit code instead of exiting, so tests
 * run it in-process.
 */
export async function main(argv: readonly string[], deps: MainDeps = {}): Promise<number> {
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
  const writeError = deps.writeError ?? ((text: string) => process.stderr.write(text));
  let exitCode: number = ExitCode.successful;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  const program = new Command('alation-job-watch')
    .description('Watch Alation bulk-API jobs until they finish, and tell subscribers how they ended.')
    .exitOverride()
    .configureOutput({ writeOut: write, writeErr: writeError })
    .showHelpAfterError();
  program.addCommand(checkCommand({ env: deps.env ?? process.env, write, writeError, now: deps.now ?? (() => new Date()) }, setExitCode));
  program.addCommand(simulateCommand());
  // Bound now: while `start` runs, the handler's stdout/stderr are sent to its log file.
  program.addCommand(startCommand({ env: deps.env ?? process.env, write: deps.write ?? process.stdout.write.bind(process.stdout), writeError: deps.writeError ?? process.stderr.write.bind(process.stderr), tty: deps.write === undefined && process.stdout.isTTY === true }, setExitCode));
  program.addCommand(enqueueCommand({ write, writeError }, setExitCode));
  program.addCommand(redriveCommand({ write, writeError }, setExitCode));
  program.addCommand(replayCommand({ write, writeError }, setExitCode));
  program.addCommand(tailCommand({ write, writeError }, setExitCode));
  program.addCommand(doctorCommand({ write, writeError }, setExitCode));
  program.addCommand(notifyTestCommand({ write, writeError }, setExitCode));
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end in a CommanderError with exit code 0.
      return error.exitCode === 0 ? ExitCode.successful : ExitCode.usage;
    }
    writeError(`error: ${(error as Error).message}\n`);
    return ExitCode.unexpected;
  }
  return exitCode;
}
