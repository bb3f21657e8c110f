/**
 * Captures what the process writes to stdout and stderr (Powertools logs JSON to stdout),
 * so a scenario can scan every log line for the token and find the logged reasons.
 */
export interface LogCapture {
  readonly lines: string[];
  /** Writes to the real stdout, bypassing the capture (the chaos table). */
  print(text: string): void;
  restore(): void;
}

export function captureLogs(options: { passThrough?: boolean } = {}): LogCapture {
  const lines: string[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const capture = (stream: NodeJS.WriteStream, original: typeof process.stdout.write) =>
    function (this: unknown, chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      if (options.passThrough) return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    } as typeof process.stdout.write;
  process.stdout.write = capture(process.stdout, originals.out);
  process.stderr.write = capture(process.stderr, originals.err);
  return {
    lines,
    print: (text) => void originals.out.call(process.stdout, text),
    restore() {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}
