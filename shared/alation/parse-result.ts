import type { ErrorObject, OutcomeResult } from '../contracts/outcome';
import { cutText, toSendableText } from '../contracts/sendable-text';
import { describeError } from '../errors';
import { detach, keepText, toErrorObject } from './error-object';
import { exceedsJsonValues } from './json-budget';
import { toCount } from './keyed-counts';
import { ResultParseLimits } from './parse-limits';
import { readFollowUpJobIds, readProseCounts, type ProseCountField } from './prose-counts';
import { SCAN_SEPARATOR, walkResult } from './walk-result';

export { toErrorObject } from './error-object';

/** Alation's `result`, parsed, and the other jobs it names. */
export interface ParsedResult {
  readonly result: OutcomeResult;
  readonly followUpJobIds: number[];
}

/** The budgets of one parse; {@link ResultParseLimits} unless a test passes smaller ones. */
export type ParseLimits = { readonly [K in keyof typeof ResultParseLimits]: number };

/**
 * Turns Alation's `result` into counts, error objects and text. Results "are not
 * standardised" (Allie-SDK docs): this reads every shape seen so far — a JSON string with
 * counts, plain text (query-log ingestion), a list of strings, objects and lists of objects,
 * null — and keeps what it cannot read as `text` or `data`.
 *
 * Bounded and linear: one iterative walk of at most `maxNodes` values, at most
 * `maxScanChars` characters scanned by linear patterns, and kept parts cut to sizes a
 * notification can carry; past any bound it keeps what it read and sets `truncated`. Every
 * string it returns is sendable (`toSendableText`). It never throws: should anything still
 * fail, the result is empty, `truncated`, with the reason in `parseError`.
 */
export function parseResult(raw: unknown, limits: ParseLimits = ResultParseLimits): ParsedResult {
  try {
    return parse(raw, limits);
  } catch (error) {
    return { result: unreadResult(`the result could not be read: ${describe(error)}`), followUpJobIds: [] };
  }
}

/** The result of a job whose `result` was not read, with the reason. */
export function unreadResult(reason: string): OutcomeResult {
  return {
    updatedObjects: null,
    numberReceived: null,
    createdCount: null,
    failedCount: null,
    errorObjects: [],
    errorObjectCount: 0,
    errorsIgnored: null,
    error: null,
    newEventsIngested: null,
    previouslyIngestedSkipped: null,
    text: null,
    data: null,
    truncated: true,
    parseError: keepText(reason, 1000),
  };
}

function parse(raw: unknown, limits: ParseLimits): ParsedResult {
  const decoded = decode(raw, limits);
  const walk = walkResult(decoded.data, limits);
  let truncated = walk.truncated || decoded.notDecoded !== undefined;

  const textScanned = decoded.text === null ? '' : decoded.text.slice(0, limits.maxScanChars);
  if (decoded.text !== null && textScanned.length < decoded.text.length) truncated = true;
  const scanned = textScanned === '' ? walk.scanned : `${textScanned}${SCAN_SEPARATOR}${walk.scanned}`;

  const fields = isRecord(decoded.data) ? decoded.data : {};
  const errors = errorEntries(fields, decoded.data, limits);
  if (errors.cut) truncated = true;
  const { errorsIgnored, error } = readErrorField(fields.error, limits);
  if (error !== null && typeof fields.error === 'string' && fields.error.length > limits.maxTextChars) truncated = true;

  const prose = readProseCounts(scanned);
  const count = (field: ProseCountField): number | null => walk.keyed[field] ?? prose[field] ?? null;
  const followUps = readFollowUpJobIds(scanned, limits.maxFollowUpJobIds);
  if (followUps.cut) truncated = true;
  if (decoded.text !== null && decoded.text.length > limits.maxTextChars) truncated = true;

  return {
    result: {
      updatedObjects: count('updatedObjects'),
      numberReceived: count('numberReceived'),
      createdCount: count('createdCount'),
      failedCount: count('failedCount'),
      errorObjects: errors.kept,
      errorObjectCount: errors.count,
      errorsIgnored: errorsIgnored === undefined ? count('errorsIgnored') : errorsIgnored,
      error,
      newEventsIngested: count('newEventsIngested'),
      previouslyIngestedSkipped: count('previouslyIngestedSkipped'),
      text: decoded.text === null ? null : keepText(decoded.text, limits.maxTextChars),
      data: walk.copy,
      truncated,
      parseError: decoded.notDecoded ?? null,
    },
    followUpJobIds: followUps.ids,
  };
}

function decode(raw: unknown, limits: ParseLimits): { text: string | null; data: unknown; notDecoded?: string } {
  if (typeof raw !== 'string') return { text: null, data: raw ?? null };
  const trimmed = raw.trim();
  if (trimmed === '') return { text: null, data: null };
  if (exceedsJsonValues(trimmed, limits.maxJsonValues)) {
    return { text: raw, data: null, notDecoded: `the result holds more than ${limits.maxJsonValues} JSON values: read as text, not decoded` };
  }
  try {
    const data: unknown = JSON.parse(trimmed);
    return typeof data === 'string' ? { text: data, data: null } : { text: null, data };
  } catch {
    return { text: raw, data: null };
  }
}

/**
 * `error_objects`, or for lists of objects (relational integration:
 * `[{ response, mapping, errors }]`) each item's `errors`. All are counted; the first
 * `maxErrorObjects` are kept.
 */
function errorEntries(
  fields: Record<string, unknown>,
  data: unknown,
  limits: ParseLimits,
): { kept: ErrorObject[]; count: number; cut: boolean } {
  const kept: ErrorObject[] = [];
  let count = 0;
  const add = (entries: unknown[]): void => {
    count += entries.length;
    for (let i = 0; i < entries.length && kept.length < limits.maxErrorObjects; i++) {
      kept.push(toErrorObject(entries[i], limits.maxErrorMessageChars));
    }
  };
  if (Array.isArray(fields.error_objects)) add(fields.error_objects);
  else if (Array.isArray(data)) {
    const items = Math.min(data.length, limits.maxNodes);
    for (let i = 0; i < items; i++) {
      const item: unknown = data[i];
      if (isRecord(item) && Array.isArray(item.errors)) add(item.errors);
    }
    if (items < data.length) return { kept, count, cut: true };
  }
  return { kept, count, cut: count > kept.length };
}

/** `error` is either a count of ignored errors ("1 errors were ignored", or a number) or an error text. */
function readErrorField(
  value: unknown,
  limits: ParseLimits,
): { errorsIgnored: number | null | undefined; error: string | null } {
  if (typeof value === 'number') return { errorsIgnored: toCount(value), error: null };
  if (typeof value !== 'string') return { errorsIgnored: undefined, error: null };
  const ignored = readProseCounts(value.slice(0, limits.maxScanChars)).errorsIgnored;
  if (ignored !== undefined) return { errorsIgnored: ignored, error: null };
  if (value.trim() === '') return { errorsIgnored: 0, error: null };
  return { errorsIgnored: null, error: keepText(value, limits.maxTextChars) };
}

function describe(error: unknown): string {
  try {
    const text = describeError(error);
    return toSendableText(detach(cutText(text, 500)));
  } catch {
    return 'unknown error';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
