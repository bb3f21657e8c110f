import type { ErrorObject, OutcomeResult } from '../contracts/outcome';

/** Alation's `result`, parsed, and the other jobs it names. */
export interface ParsedResult {
  readonly result: OutcomeResult;
  readonly followUpJobIds: number[];
}

// Shapes seen in the wild are listed in ../shared/reference/alation-jobs.md (beside the repo).
const ERROR_OBJECT = /^\s*Line\s+(-?\d+)\.\s+Key:\s+(.*?)\.\s+([\s\S]*)$/;
const ERRORS_IGNORED = /(\d+)\s+errors?\s+(?:were|was)\s+ignored/i;
const NEW_EVENTS = /(\d+)\s+new\s+events?\s+ingested/i;
const PREVIOUSLY_SKIPPED = /(\d+)\s+previously[- ]ingested\s+events?\s+skipped/i;
const UPDATED_VALUES = /updated\s+values\s+count:\s*(\d+)/i;
const OBJECTS_RECEIVED = /(\d+)\s+\S*\s*object\(s\)\s+received/i;
const FOLLOW_UP = /can\s+be\s+tracked\s+using\s+(?:the\s+)?jobs\s+API\)?\s*:?\s*(\d+)/gi;

/** Walking a decoded result for text stops here, so a pathological result costs little. */
const MAX_STRINGS_SCANNED = 10_000;
const MAX_DEPTH = 8;
/** Deeper `data` is dropped (and `truncated` set). */
const MAX_DATA_DEPTH = 64;

/**
 * Turns Alation's `result` into counts, error objects and text. Results "are not
 * standardised" (Allie-SDK docs): this reads every shape seen so far — a JSON string with
 * counts, plain text (query-log ingestion), a list of strings, objects and lists of objects,
 * null — and keeps what it cannot read as `text` or `data`. It never throws.
 */
export function parseResult(raw: unknown): ParsedResult {
  const decoded = decode(raw);
  const { text } = decoded;
  // A result nested deeper than anything Alation sends would overflow the stack of every
  // JSON.stringify that follows (the notification, the log): it is kept out of `data`.
  const tooDeep = exceedsDepth(decoded.data, MAX_DATA_DEPTH);
  const data = tooDeep ? null : decoded.data;
  const fields = isRecord(data) ? data : {};
  const strings = collectStrings(text, data);
  const joined = strings.join('\n');

  const errorEntries = Array.isArray(fields.error_objects) ? fields.error_objects : nestedErrors(data);
  const errorObjects = errorEntries.map(toErrorObject);
  const { errorsIgnored, error } = readErrorField(fields.error, joined);

  return {
    result: {
      updatedObjects: toCount(fields.updated_objects) ?? firstCount(UPDATED_VALUES, joined),
      numberReceived: toCount(fields.number_received) ?? firstCount(OBJECTS_RECEIVED, joined),
      errorObjects,
      errorObjectCount: errorObjects.length,
      errorsIgnored,
      error,
      newEventsIngested: firstCount(NEW_EVENTS, joined),
      previouslyIngestedSkipped: firstCount(PREVIOUSLY_SKIPPED, joined),
      text,
      data,
      truncated: tooDeep,
    },
    followUpJobIds: followUpJobIds(joined),
  };
}

/** Splits `Line N. Key: K. message`; any other entry becomes a message of its own. */
export function toErrorObject(entry: unknown): ErrorObject {
  if (typeof entry === 'string') {
    const match = ERROR_OBJECT.exec(entry);
    if (match) return { line: Number(match[1]), key: match[2] as string, message: (match[3] as string).trim() };
    return { line: null, key: null, message: entry };
  }
  if (isRecord(entry)) {
    const line = typeof entry.line === 'number' && Number.isInteger(entry.line) ? entry.line : null;
    const key = typeof entry.key === 'string' ? entry.key : null;
    const message = typeof entry.message === 'string' ? entry.message : safeStringify(entry);
    return { line, key, message };
  }
  return { line: null, key: null, message: safeStringify(entry) };
}

function decode(raw: unknown): { text: string | null; data: unknown } {
  if (typeof raw !== 'string') return { text: null, data: raw ?? null };
  const trimmed = raw.trim();
  if (trimmed === '') return { text: null, data: null };
  try {
    const data: unknown = JSON.parse(trimmed);
    return typeof data === 'string' ? { text: data, data: null } : { text: null, data };
  } catch {
    return { text: raw, data: null };
  }
}

function exceedsDepth(value: unknown, limit: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > limit) return true;
    const next: unknown[] = [];
    for (const item of level) {
      if (Array.isArray(item)) next.push(...item.filter((v) => typeof v === 'object' && v !== null));
      else if (typeof item === 'object' && item !== null) next.push(...Object.values(item).filter((v) => typeof v === 'object' && v !== null));
    }
    level = next;
  }
  return false;
}

function readErrorField(value: unknown, joined: string): { errorsIgnored: number | null; error: string | null } {
  if (typeof value === 'number') return { errorsIgnored: toCount(value), error: null };
  if (typeof value === 'string') {
    const ignored = ERRORS_IGNORED.exec(value);
    if (ignored) return { errorsIgnored: Number(ignored[1]), error: null };
    return value.trim() === '' ? { errorsIgnored: 0, error: null } : { errorsIgnored: null, error: value };
  }
  return { errorsIgnored: firstCount(ERRORS_IGNORED, joined), error: null };
}

/** Lists of objects (e.g. relational integration: `[{ response, mapping, errors }]`) carry errors per item. */
function nestedErrors(data: unknown): unknown[] {
  if (!Array.isArray(data)) return [];
  return data.flatMap((item) => (isRecord(item) && Array.isArray(item.errors) ? item.errors : []));
}

function collectStrings(text: string | null, data: unknown): string[] {
  const found: string[] = text === null ? [] : [text];
  const walk = (value: unknown, depth: number): void => {
    if (found.length >= MAX_STRINGS_SCANNED || depth > MAX_DEPTH) return;
    if (typeof value === 'string') found.push(value);
    else if (Array.isArray(value)) for (const item of value) walk(item, depth + 1);
    else if (isRecord(value)) for (const item of Object.values(value)) walk(item, depth + 1);
  };
  walk(data, 0);
  return found;
}

function followUpJobIds(text: string): number[] {
  const ids = new Set<number>();
  for (const match of text.matchAll(FOLLOW_UP)) {
    const id = Number(match[1]);
    if (Number.isSafeInteger(id) && id > 0) ids.add(id);
  }
  return [...ids];
}

function firstCount(pattern: RegExp, text: string): number | null {
  const match = pattern.exec(text);
  return match ? toCount(match[1]) : null;
}

function toCount(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
