import { renderProgress, renderProgressLine, type ProgressSnapshot } from './progress';

/** Options of {@link createLiveView}. */
export interface LiveViewOptions {
  readonly write: (text: string) => void;
  /** Redraw in place (a terminal), or print plain lines (a pipe, a CI log). */
  readonly tty: boolean;
  readonly snapshot: () => ProgressSnapshot;
  /** How often the view refreshes. @default 250 ms on a TTY, 5 000 ms otherwise */
  readonly intervalMs?: number;
}

/** A progress display that keeps event lines above a status block. */
export interface LiveView {
  /** Prints a line that stays (an outcome arrived, say) above the status block. */
  event(line: string): void;
  /** Draws the final state and stops refreshing. Safe to call twice. */
  stop(): void;
}

// ANSI: cursor up N lines, clear the line, hide / show the cursor.
const up = (lines: number): string => (lines > 0 ? `\x1b[${lines}A` : '');
const CLEAR_LINE = '\x1b[2K\r';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/**
 * The live progress of a watch session. On a terminal it redraws a few lines in place with
 * plain ANSI escapes; elsewhere (CI) it prints a progress line every few seconds, since escape
 * codes would litter a log file.
 */
export function createLiveView(options: LiveViewOptions): LiveView {
  const { write, tty } = options;
  let drawnLines = 0;
  let stopped = false;

  const clearBlock = (): string => (drawnLines > 0 ? `${up(drawnLines)}${`${CLEAR_LINE}\n`.repeat(drawnLines)}${up(drawnLines)}` : '');
  const draw = (): void => {
    const lines = renderProgress(options.snapshot());
    write(`${clearBlock()}${lines.map((l) => `${CLEAR_LINE}${l}`).join('\n')}\n`);
    drawnLines = lines.length;
  };
  const tick = (): void => (tty ? draw() : write(`${renderProgressLine(options.snapshot())}\n`));

  if (tty) {
    write(HIDE_CURSOR);
    draw();
  }
  const timer = setInterval(tick, options.intervalMs ?? (tty ? 250 : 5_000));
  // A refresh timer must never keep the process alive on its own.
  timer.unref();

  return {
    event(line) {
      if (stopped) return;
      if (!tty) return write(`${line}\n`);
      write(`${clearBlock()}${CLEAR_LINE}${line}\n`);
      drawnLines = 0;
      draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (tty) {
        draw();
        write(SHOW_CURSOR);
      } else {
        write(`${renderProgressLine(options.snapshot())}\n`);
      }
    },
  };
}
