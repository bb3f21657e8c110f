/** What a finished job's `msg` says: how long it ran and when it finished. */
export interface FinishedMessage {
  readonly durationSeconds: number | null;
  /** ISO-8601 in UTC, or null when `msg` does not say. */
  readonly finishedAt: string | null;
}

// "Job finished in 1.0 seconds at 2017-01-12 23:52:34.307327+00:00" (Alation's reference page).
const FINISHED =
  /finished in\s+(\d+(?:\.\d+)?)\s*seconds?\s+at\s+(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?/i;

/** Parses `msg`; anything it cannot read gives nulls, never an error. */
export function parseFinishedMessage(msg: unknown): FinishedMessage {
  if (typeof msg !== 'string') return { durationSeconds: null, finishedAt: null };
  const match = FINISHED.exec(msg);
  if (!match) return { durationSeconds: null, finishedAt: null };
  const [, seconds, date, time, fraction, offset] = match;
  const duration = Number(seconds);
  return {
    durationSeconds: Number.isFinite(duration) ? duration : null,
    finishedAt: toIsoUtc(date as string, time as string, fraction, offset),
  };
}

function toIsoUtc(date: string, time: string, fraction: string | undefined, offset: string | undefined): string | null {
  // Milliseconds are as precise as a JavaScript Date goes; Alation sends microseconds.
  const millis = fraction ? fraction.slice(0, 4).padEnd(4, '0') : '.000';
  const zone = !offset || offset === 'Z' ? 'Z' : offset.includes(':') ? offset : `${offset.slice(0, 3)}:${offset.slice(3)}`;
  const parsed = new Date(`${date}T${time}${millis}${zone}`);
  return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString();
}
