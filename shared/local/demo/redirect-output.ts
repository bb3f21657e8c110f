import { closeSync, openSync, writeSync } from 'node:fs';

/** Undoes {@link redirectProcessOutput}. */
export interface OutputRedirection {
  restore(): void;
}

type Write = typeof process.stdout.write;

/**
 * Sends everything written to `process.stdout` / `process.stderr` to a file until `restore()`.
 *
 * Why: the handler logs through Powertools Logger and Metrics, which print JSON lines to
 * stdout (CloudWatch's job in Lambda) from a `Console` bound to `process.stdout`; in a terminal
 * they would bury the live view. Their `Console` looks `write` up on the stream at each call,
 * so swapping the method catches them without touching the handler. Writes are synchronous so
 * nothing is lost when the process exits right after. Whoever draws on the terminal must hold a
 * `write` bound before the swap.
 */
export function redirectProcessOutput(file: string): OutputRedirection {
  const fd = openSync(file, 'a');
  const originals: Array<[NodeJS.WriteStream, Write]> = [
    [process.stdout, process.stdout.write],
    [process.stderr, process.stderr.write],
  ];
  const toFile = ((chunk: string | Uint8Array, encodingOrCallback?: unknown, callback?: unknown): boolean => {
    if (typeof chunk === 'string') writeSync(fd, chunk);
    else writeSync(fd, chunk);
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (typeof done === 'function') done();
    return true;
  }) as Write;
  for (const [stream] of originals) stream.write = toFile;
  let restored = false;
  return {
    restore() {
      if (restored) return;
      restored = true;
      for (const [stream, write] of originals) stream.write = write;
      closeSync(fd);
    },
  };
}
