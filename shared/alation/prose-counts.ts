/**
 * Counts that Alation states in prose rather than in JSON fields. "Job results are not
 * standardised" (Allie-SDK docs): each bulk API words its result its own way, so the forms
 * seen in public material are kept as data, one row per form with its source, and read by
 * one loop. Adding a form is one row here and one case in the tests.
 *
 * Every pattern is linear in the text it scans (V8's regex engine backtracks, so this is
 * by construction, not by luck): a number starts only where no digit precedes it
 * (`(?<!…)`), takes at most 15 digits and must end there (`(?!\d)`), and every quantifier
 * is followed by a character it cannot itself match, so no run is ever split two ways.
 */

/** The counts a prose form can state, named as in the outcome's `result`. */
export type ProseCountField =
  | 'updatedObjects'
  | 'numberReceived'
  | 'createdCount'
  | 'failedCount'
  | 'errorsIgnored'
  | 'newEventsIngested'
  | 'previouslyIngestedSkipped';

export interface ProseForm {
  /** One example as Alation wrote it. */
  readonly example: string;
  /** Where the example was seen, so it can be checked. */
  readonly source: string;
  /** Global, linear; named groups are {@link ProseCountField}s. */
  readonly pattern: RegExp;
}

// A count: 1–15 digits (safe integers), not part of a longer number or a decimal.
const N = (field: ProseCountField) => `(?<![\\d.])(?<${field}>\\d{1,15})(?!\\d|\\.\\d)`;
const form = (example: string, source: string, pattern: string): ProseForm => ({
  example,
  source,
  pattern: new RegExp(pattern, 'gi'),
});

/** The forms, most specific first. For each field the first form that states it wins. */
export const PROSE_FORMS: readonly ProseForm[] = [
  form(
    'All total 1 batches with a limit of 250 items attempted. [Succeeded: 2, Failed: 0, Total: 2]',
    'Allie-SDK tests/models/test_job_model.py and tests/methods/test_business_policies.py (business policies POST/PUT)',
    `\\[\\s*Succeeded:\\s*${N('updatedObjects')}\\s*,\\s*Failed:\\s*${N('failedCount')}\\s*,\\s*Total:\\s*${N('numberReceived')}\\s*\\]`,
  ),
  form(
    'Updated values count: 1. Error count: 0. Errors: [] Legacy(Rosemeta) write job_id (can be tracked using jobs API): 8254',
    'Allie-SDK examples/logs/alation-rest-2024-10-08.json, commit 77c809c (custom field values async)',
    `\\bUpdated\\s+values\\s+count:\\s*${N('updatedObjects')}`,
  ),
  form(
    'Updated values count: 1. Error count: 3',
    'Allie-SDK examples/logs/alation-rest-2024-10-08.json, commit 77c809c (custom field values async)',
    `\\bError\\s+count:\\s*${N('failedCount')}`,
  ),
  form(
    'Finished bulk upsert public annotation field values. Updated objects: 0, created objects: 1',
    'Allie-SDK tests/methods/test_custom_field.py and tests/models/test_job_model.py (custom field values PUT)',
    `\\bUpdated\\s+objects:\\s*${N('updatedObjects')}`,
  ),
  form(
    'Finished bulk upsert public annotation field values. Updated objects: 1, created objects: 0',
    'Allie-SDK tests/methods/test_custom_field.py (custom field values PUT)',
    `\\bcreated\\s+objects:\\s*${N('createdCount')}`,
  ),
  form(
    '1 BIFolder object(s) received, 1 new object(s) created',
    'Allie-SDK tests/methods/test_bi_source.py and examples/example_bi_source.py (BI source folders, reports, columns)',
    `${N('numberReceived')}\\s+(?:[a-z_]\\w*\\s+)?object\\(s\\)\\s+received`,
  ),
  form(
    '1 BIFolder object(s) received, 1 new object(s) created',
    'Allie-SDK tests/methods/test_bi_source.py and examples/example_bi_source.py',
    `${N('createdCount')}\\s+new\\s+object\\(s\\)\\s+created`,
  ),
  form(
    '1 BIReport object(s) received, 1 existing object(s) updated',
    'Allie-SDK tests/methods/test_bi_source.py and examples/example_bi_source.py',
    `${N('updatedObjects')}\\s+existing\\s+object\\(s\\)\\s+updated`,
  ),
  form(
    'Uploaded 3 directories and files.',
    'Allie-SDK tests/methods/test_virtual_filesystem.py (virtual file system upload)',
    `\\bUploaded\\s+${N('updatedObjects')}\\s+directories\\s+and\\s+files`,
  ),
  form(
    'Upserted 2 schema objects.',
    'Allie-SDK tests/methods/test_rdbms.py and examples/example_rdbms.py (relational integration: `response` of each batch)',
    `\\b(?:Upserted|Updated)\\s+${N('updatedObjects')}\\s+(?:[a-z_]\\w*\\s+){0,2}objects\\b`,
  ),
  form(
    'Bulk Query Ingestion Succeeded: 0 new events ingested, 1 previously-ingested events skipped.',
    'Alation API reference "Job Status" (the id example, query-log ingestion)',
    `${N('newEventsIngested')}\\s+new\\s+events?\\s+ingested`,
  ),
  form(
    'Bulk Query Ingestion Succeeded: 0 new events ingested, 1 previously-ingested events skipped.',
    'Alation API reference "Job Status" (the id example, query-log ingestion)',
    `${N('previouslyIngestedSkipped')}\\s+previously[- ]ingested\\s+events?\\s+skipped`,
  ),
  form(
    '1 errors were ignored',
    'Alation API reference "Job Status" (the name example, `error` field); Allie-SDK tests/methods/test_virtual_datasource.py',
    `${N('errorsIgnored')}\\s+errors?\\s+(?:were|was)\\s+ignored`,
  ),
];

export type ProseCounts = Partial<Record<ProseCountField, number>>;

/**
 * The counts `text` states. For each field the first form (in table order) that matches
 * anywhere gives the value; several matches of that form add up (one line per batch or per
 * object type, as BI sources and relational integration write them).
 */
export function readProseCounts(text: string, forms: readonly ProseForm[] = PROSE_FORMS): ProseCounts {
  const counts: ProseCounts = {};
  for (const { pattern } of forms) {
    const found: ProseCounts = {};
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      for (const [field, digits] of Object.entries(match.groups ?? {}) as [ProseCountField, string | undefined][]) {
        if (digits === undefined || counts[field] !== undefined) continue;
        found[field] = Math.min(Number.MAX_SAFE_INTEGER, (found[field] ?? 0) + Number(digits));
      }
    }
    Object.assign(counts, found);
  }
  return counts;
}

/**
 * "… write job_id (can be tracked using jobs API): 7637": a second job that does the real
 * write (Alation reference, "PUT multiple Custom Field Values Async"). Starts only at "can".
 */
const FOLLOW_UP = /\bcan\s+be\s+tracked\s+using\s+(?:the\s+)?jobs\s+API\)?\s*(?::\s*)?(\d{1,15})(?!\d)/gi;

/** The distinct positive job ids `text` names as follow-ups, in order, at most `max`. */
export function readFollowUpJobIds(text: string, max: number): { ids: number[]; cut: boolean } {
  const ids = new Set<number>();
  FOLLOW_UP.lastIndex = 0;
  for (let match = FOLLOW_UP.exec(text); match !== null; match = FOLLOW_UP.exec(text)) {
    const id = Number(match[1]);
    if (!Number.isSafeInteger(id) || id <= 0 || ids.has(id)) continue;
    if (ids.size >= max) return { ids: [...ids], cut: true };
    ids.add(id);
  }
  return { ids: [...ids], cut: false };
}
