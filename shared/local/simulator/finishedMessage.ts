/**
 * Formats the `msg` of a finished job exactly as Alation does:
 * `Job finished in 1.0 seconds at 2017-01-12 23:52:34.307327+00:00`.
 *
 * The seconds are printed like Python's `str(float)` (Alation is a Django app): always with a
 * decimal point (`1.0`, not `1`), otherwise the shortest round-tripping digits (`0.585993`).
 * The clock has millisecond resolution, so the six-digit fraction always ends in `000`.
 */
export function formatFinishedMessage(durationMs: number, finishedAtMs: number): string {
  return `Job finished in ${pythonFloat(durationMs / 1000)} seconds at ${pythonUtcTimestamp(finishedAtMs)}`;
}

function pythonFloat(value: number): string {
  const text = String(value);
  return Number.isInteger(value) ? `${text}.0` : text;
}

/** Python's `str(datetime)` of an aware UTC datetime: `YYYY-MM-DD HH:MM:SS.ffffff+00:00`. */
function pythonUtcTimestamp(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // 2017-01-12T23:52:34.307Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000+00:00`;
}
