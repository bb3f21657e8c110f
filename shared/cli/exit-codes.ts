/** The CLI's exit codes: scripts branch on them, so they are part of the public contract. */
export const ExitCode = {
  /** The job finished successfully (it may still carry ignored errors; see the outcome). */
  successful: 0,
  /** Something unexpected: a bug, or an error with no better code. */
  unexpected: 1,
  /** Bad flags or input: the command did not run. */
  usage: 2,
  failed: 3,
  partiallySuccessful: 4,
  /** The job has not finished yet. */
  running: 5,
  notFound: 6,
  /** Alation refused the token, or the token secret could not be read. */
  auth: 7,
  /** Alation could not be reached or answered nonsense (network, timeout, 5xx, HTML). */
  unreachable: 8,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** How every command answers bad flags: prints `error: <message>` and gives the usage exit code. */
export function usageReporter(writeError: (text: string) => void): (message: string) => typeof ExitCode.usage {
  return (message) => {
    writeError(`error: ${message}\n`);
    return ExitCode.usage;
  };
}
