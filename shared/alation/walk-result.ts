import { toSendableText } from '../contracts/sendable-text';
import { KEYED_COUNTS, toCount, type KeyedCount } from './keyed-counts';
import type { ProseCountField } from './prose-counts';

/** The budgets of one walk (see `ResultParseLimits`). */
export interface WalkLimits {
  readonly maxNodes: number;
  readonly maxDepth: number;
  /** Characters of strings handed to the scan; 0 reads none. */
  readonly maxScanChars: number;
  /** The copy's size, in characters of its JSON (about). */
  readonly maxDataChars: number;
}

export interface Walk {
  /** A copy of the value: JSON-only, every string and key sendable, cut to `maxDataChars`. */
  readonly copy: unknown;
  /** The strings read, joined by {@link SCAN_SEPARATOR}, at most `maxScanChars`. */
  readonly scanned: string;
  /** Sums of the {@link KEYED_COUNTS} fields found. */
  readonly keyed: Partial<Record<ProseCountField, number>>;
  /** True when a budget ran out: the copy, the scan or the sums are partial. */
  readonly truncated: boolean;
}

/** Joins the strings scanned: not whitespace, digit nor word, so no prose form spans two strings. */
export const SCAN_SEPARATOR = '\u0000';

type Container = unknown[] | Record<string, unknown>;
interface Frame {
  readonly source: Container;
  readonly keys: string[] | null;
  index: number;
  readonly depth: number;
  readonly copy: Container | null;
}
const OMIT = Symbol('omit');

/**
 * Walks a decoded result once, iteratively (no recursion, so no nesting overflows the
 * stack), visiting at most `maxNodes` values and `maxDepth` levels. In that one pass it
 * copies what fits the data budget, collects text to scan for prose counts, and adds up
 * the keyed counts. Work and memory are bounded by the limits, not by the input.
 */
export function walkResult(value: unknown, limits: WalkLimits, keyedCounts: readonly KeyedCount[] = KEYED_COUNTS): Walk {
  let nodes = 0;
  let dataChars = 0;
  let copying = true;
  let scanChars = 0;
  let truncated = false;
  const pieces: string[] = [];
  const keyed: Partial<Record<ProseCountField, number>> = {};
  const stack: Frame[] = [];

  /** Reserves room in the copy; once something does not fit, nothing more is copied. */
  const take = (chars: number): boolean => {
    if (!copying) return false;
    if (dataChars + chars > limits.maxDataChars) {
      copying = false;
      truncated = true;
      return false;
    }
    dataChars += chars;
    return true;
  };

  const scan = (text: string): void => {
    if (text === '' || limits.maxScanChars <= 0) return;
    const room = limits.maxScanChars - scanChars;
    if (room <= 0) {
      truncated = true;
      return;
    }
    const piece = text.length > room ? text.slice(0, room) : text;
    if (piece.length < text.length) truncated = true;
    pieces.push(piece);
    scanChars += piece.length + SCAN_SEPARATOR.length;
  };

  const fieldOfKey = new Map(keyedCounts.map(({ key, field }) => [key, field]));
  const addKeyed = (key: string, value: unknown): void => {
    const field = fieldOfKey.get(key);
    const count = field === undefined ? null : toCount(value);
    if (field !== undefined && count !== null) keyed[field] = Math.min(Number.MAX_SAFE_INTEGER, (keyed[field] ?? 0) + count);
  };

  /** Visits one value; returns its copy, or OMIT when it is not kept. */
  // Sizes as JSON, a separating comma included: quotes, digits, `false`, `null`.
  const enter = (item: unknown, depth: number, keep: boolean): unknown => {
    nodes++;
    if (typeof item === 'string') {
      scan(item);
      return keep && take(item.length + 3) ? toSendableText(item) : OMIT;
    }
    if (typeof item === 'number') return keep && take(Number.isFinite(item) ? String(item).length + 1 : 5) ? (Number.isFinite(item) ? item : null) : OMIT;
    if (typeof item === 'boolean') return keep && take(6) ? item : OMIT;
    if (typeof item === 'bigint') return keep && take(24) ? String(item) : OMIT;
    if (item === null || typeof item !== 'object') return keep && take(5) ? null : OMIT;
    if (depth >= limits.maxDepth) {
      truncated = true;
      copying = false;
      return OMIT;
    }
    const isList = Array.isArray(item);
    const copy: Container | null = keep && take(3) ? (isList ? [] : {}) : null;
    const keys = isList ? null : Object.keys(item);
    // Empty lists and objects (`[{},{},…]` is the cheapest way to make many nodes) cost no frame.
    if ((keys === null ? (item as unknown[]).length : keys.length) > 0) stack.push({ source: item as Container, keys, index: 0, depth, copy });
    return copy ?? OMIT;
  };

  const root = enter(value, 0, true);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    const length = frame.keys === null ? (frame.source as unknown[]).length : frame.keys.length;
    if (frame.index >= length) {
      stack.pop();
      continue;
    }
    if (nodes >= limits.maxNodes) {
      truncated = true;
      break;
    }
    const index = frame.index++;
    if (frame.keys === null) {
      const child = enter((frame.source as unknown[])[index], frame.depth + 1, frame.copy !== null);
      if (child !== OMIT && frame.copy !== null) (frame.copy as unknown[]).push(child);
      continue;
    }
    const key = frame.keys[index] as string;
    const value = (frame.source as Record<string, unknown>)[key];
    addKeyed(key, value);
    const keep = frame.copy !== null && take(key.length + 3);
    const child = enter(value, frame.depth + 1, keep);
    if (child !== OMIT && frame.copy !== null) {
      // Defined, not assigned: a key named "__proto__" stays data instead of replacing the prototype.
      Object.defineProperty(frame.copy, toSendableText(key), { value: child, enumerable: true, writable: true, configurable: true });
    }
  }

  return { copy: root === OMIT ? null : root, scanned: pieces.join(SCAN_SEPARATOR), keyed, truncated };
}
