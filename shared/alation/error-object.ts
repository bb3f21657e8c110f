import type { ErrorObject } from '../contracts/outcome';
import { toSendableText } from '../contracts/sendable-text';
import { ResultParseLimits } from './parse-limits';
import { walkResult } from './walk-result';

// "Line 1. Key: schema_b. Datasource id in key does not match the id in the request"
// (Alation API reference "Job Status"; Allie-SDK tests/methods/test_virtual_datasource.py).
// Anchored, and every quantifier is followed by a character it cannot match: linear.
const PREFIX = /^\s*Line\s+(-?\d{1,15})\.\s+Key:\s+/;
// The key ends at the first ". " (keys such as 99.TestSchema.TestTable.index hold dots
// without a space); it never crosses a line.
const KEY_END = /\.\s|[\n\r\u2028\u2029]/g;

/**
 * Splits `Line N. Key: K. message`; any other entry becomes a message of its own. Reads at
 * most twice `maxChars` of an entry, and cuts key and message to `maxChars`, so a
 * pathological entry costs no more than an ordinary long one.
 */
export function toErrorObject(entry: unknown, maxChars: number = ResultParseLimits.maxErrorMessageChars): ErrorObject {
  if (typeof entry === 'string') {
    const head = entry.length > 2 * maxChars ? detach(entry.slice(0, 2 * maxChars)) : entry;
    const prefix = PREFIX.exec(head);
    if (prefix) {
      KEY_END.lastIndex = prefix[0].length;
      const end = KEY_END.exec(head);
      const line = Number(prefix[1]);
      if (end && end[0].startsWith('.') && Number.isSafeInteger(line)) {
        return {
          line,
          key: keepText(head.slice(prefix[0].length, end.index), maxChars),
          message: keepText(head.slice(end.index + 1).trim(), maxChars),
        };
      }
    }
    return { line: null, key: null, message: keepText(head, maxChars) };
  }
  if (isRecord(entry)) {
    const line = typeof entry.line === 'number' && Number.isSafeInteger(entry.line) ? entry.line : null;
    const key = typeof entry.key === 'string' ? keepText(entry.key, maxChars) : null;
    const message = typeof entry.message === 'string' ? keepText(entry.message, maxChars) : boundedJson(entry, maxChars);
    return { line, key, message };
  }
  return { line: null, key: null, message: boundedJson(entry, maxChars) };
}

/** JSON of any value, reading no more of it than `maxChars` can show. */
export function boundedJson(value: unknown, maxChars: number): string {
  const { copy } = walkResult(value, { maxNodes: maxChars, maxDepth: 32, maxScanChars: 0, maxDataChars: maxChars });
  return keepText(JSON.stringify(copy) ?? 'null', maxChars);
}

/** `text` cut to `max` characters (with "…" when cut), sendable, holding no larger string alive. */
export function keepText(text: string, max: number): string {
  const kept = text.length > max ? `${detach(text.slice(0, max))}…` : text;
  return toSendableText(kept);
}

/**
 * A copy that does not share memory with the string it came from. V8 keeps a slice as a
 * view of its parent, so a short excerpt of a 4 MB answer would keep all 4 MB alive for as
 * long as the outcome lives (across the publish and its retries).
 */
export function detach(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
