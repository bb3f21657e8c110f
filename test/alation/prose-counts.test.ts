import { describe, expect, it } from 'vitest';
import { parseResult } from '../../shared/alation/parse-result';
import { KEYED_COUNTS } from '../../shared/alation/keyed-counts';
import { PROSE_FORMS, readFollowUpJobIds, readProseCounts } from '../../shared/alation/prose-counts';
import type { OutcomeResult } from '../../shared/contracts/outcome';
import { hasErrors } from '../../shared/watch/build-outcome';

type Counts = Partial<
  Pick<
    OutcomeResult,
    'updatedObjects' | 'numberReceived' | 'createdCount' | 'failedCount' | 'errorsIgnored' | 'newEventsIngested' | 'previouslyIngestedSkipped' | 'errorObjectCount'
  >
>;

interface Case {
  readonly name: string;
  /** Where the result was seen. */
  readonly source: string;
  /** `result` as Alation sends it (a JSON string, or already a list or object). */
  readonly result: unknown;
  readonly counts: Counts;
  /** What `hasErrors` says for a job whose status is `successful`. */
  readonly hasErrors: boolean;
  readonly followUpJobIds?: number[];
}

const liveLogLine = (text: string) => `${text} Legacy(Rosemeta) write job_id (can be tracked using jobs API): 8254`;

const CASES: Case[] = [
  {
    name: 'business policies: every item succeeded',
    source: 'Allie-SDK tests/models/test_job_model.py (business policy POST)',
    result: ['Successfully processed 2 items (index range: [0, 1])', 'All total 1 batches with a limit of 250 items attempted. [Succeeded: 2, Failed: 0, Total: 2]'],
    counts: { updatedObjects: 2, failedCount: 0, numberReceived: 2 },
    hasErrors: false,
  },
  {
    name: 'business policies: every item failed',
    source: 'issue 14 (the form of Allie-SDK tests/methods/test_business_policies.py with failures)',
    result: ['All total 1 batches with a limit of 250 items attempted. [Succeeded: 0, Failed: 2, Total: 2]'],
    counts: { updatedObjects: 0, failedCount: 2, numberReceived: 2 },
    hasErrors: true,
  },
  {
    name: 'custom field values async: one follow-up named three times',
    source: 'Allie-SDK examples/logs/alation-rest-2024-10-08.json, commit 77c809c',
    result: [
      liveLogLine('Start bulk upsert values to annotation value microservice...'),
      liveLogLine('Updated values count: 1. Error count: 0. Errors: []'),
      liveLogLine('Finished bulk upsert values to annotation value microservice.'),
    ],
    counts: { updatedObjects: 1, failedCount: 0 },
    hasErrors: false,
    followUpJobIds: [8254],
  },
  {
    name: 'custom field values async with errors',
    source: 'issue 14 (the form of the live log above with errors)',
    result: 'Updated values count: 1. Error count: 3',
    counts: { updatedObjects: 1, failedCount: 3 },
    hasErrors: true,
  },
  {
    name: 'custom field values PUT',
    source: 'Allie-SDK tests/methods/test_custom_field.py',
    result: ['Start bulk upsert public annotation field values...', 'Finished bulk upsert public annotation field values. Updated objects: 0, created objects: 1'],
    counts: { updatedObjects: 0, createdCount: 1 },
    hasErrors: false,
  },
  {
    name: 'BI folder created',
    source: 'Allie-SDK tests/methods/test_bi_source.py and examples/example_bi_source.py',
    result: ['1 BIFolder object(s) received, 1 new object(s) created', 'BI_V2_API_SYNCING took 0.09s'],
    counts: { numberReceived: 1, createdCount: 1, updatedObjects: null },
    hasErrors: false,
  },
  {
    name: 'BI report updated',
    source: 'Allie-SDK tests/methods/test_bi_source.py',
    result: ['1 BIReport object(s) received, 1 existing object(s) updated', 'BI_V2_API_SYNCING took 0.06s'],
    counts: { numberReceived: 1, updatedObjects: 1, createdCount: null },
    hasErrors: false,
  },
  {
    name: 'BI objects of two types: counts add up per form',
    source: 'constructed from the two Allie-SDK BI forms above, one line per object type',
    result: ['1 BIFolder object(s) received, 1 new object(s) created', '2 BIReport object(s) received, 2 existing object(s) updated'],
    counts: { numberReceived: 3, createdCount: 1, updatedObjects: 2 },
    hasErrors: false,
  },
  {
    name: 'virtual file system upload',
    source: 'Allie-SDK tests/methods/test_virtual_filesystem.py',
    result: ['Uploaded 3 directories and files.'],
    counts: { updatedObjects: 3 },
    hasErrors: false,
  },
  {
    name: 'relational integration, two batches',
    source: 'Allie-SDK tests/methods/test_rdbms.py and examples/example_rdbms.py',
    result: [
      { response: 'Upserted 2 table objects.', mapping: [{ id: 1049, key: '9.sales.returns' }, { id: 1048, key: '9.sales.sales_commissions' }], errors: [] },
      { response: 'Updated 1 child column objects.', mapping: [{ id: 7, key: '9.sales.returns.id' }], errors: [] },
    ],
    counts: { updatedObjects: 3, errorObjectCount: 0 },
    hasErrors: false,
  },
  {
    name: 'query-log ingestion',
    source: 'Alation API reference "Job Status" (id example)',
    result: 'Bulk Query Ingestion Succeeded: 0 new events ingested, 1 previously-ingested events skipped.',
    counts: { newEventsIngested: 0, previouslyIngestedSkipped: 1 },
    hasErrors: false,
  },
  {
    name: 'upload with an error object and ignored errors',
    source: 'Allie-SDK tests/models/test_job_model.py',
    result:
      '{"number_received": 5, "updated_objects": 0, "error_objects": ["Failed to import the uploaded file at line 4. Data may be malformed."], "error": "1 errors were ignored"}',
    counts: { numberReceived: 5, updatedObjects: 0, errorsIgnored: 1, errorObjectCount: 1 },
    hasErrors: true,
  },
  {
    name: 'documents created',
    source: 'Allie-SDK allie_sdk/models/job_model.py and examples/example_document.py',
    result: { created_term_count: 2, created_terms: [{ id: 1334 }, { id: 1335 }] },
    counts: { createdCount: 2 },
    hasErrors: false,
  },
  {
    name: 'data quality values with a failed attribution',
    source: 'Allie-SDK example_errors/data_quality/post_data_quality_values_wrong_object_key.py',
    result: {
      fields: { created: { count: 0, sample: [] }, updated: { count: 0, sample: [] } },
      values: { created: { count: 0, sample: [] }, updated: { count: 0, sample: [] } },
      created_object_attribution: { success_count: 0, failure_count: 1, success_sample: [], failure_sample: [{ field_key: 'sdk-test-1', object_key: '1.public.parts.banana' }] },
      flag_counts: { GOOD: 0, WARNING: 0, ALERT: 0 },
      total_duration: 0.027975329001492355,
    },
    counts: { failedCount: 1 },
    hasErrors: true,
  },
  {
    name: 'a JSON count field wins over prose',
    source: 'constructed: the reference page form with a prose line in `error`',
    result: '{"updated_objects": 4, "number_received": 4, "error_objects": [], "error": "Updated values count: 9"}',
    counts: { updatedObjects: 4, numberReceived: 4 },
    hasErrors: true,
  },
];

describe('counts stated in prose and JSON fields', () => {
  it.each(CASES)('reads $name', ({ result, counts, hasErrors: expectedHasErrors, followUpJobIds }) => {
    const parsed = parseResult(result);
    expect(parsed.result).toMatchObject(counts);
    expect(hasErrors('successful', parsed.result)).toBe(expectedHasErrors);
    expect(parsed.result.truncated).toBe(false);
    if (followUpJobIds) expect(parsed.followUpJobIds).toEqual(followUpJobIds);
  });

  it.each(PROSE_FORMS.map((form, row) => ({ row, ...form })))('reads the example of form $row ($source)', ({ example, pattern }) => {
    const counts = readProseCounts(example, [{ example, source: '', pattern }]);
    expect(Object.keys(counts).length).toBeGreaterThan(0);
  });

  it('names a source for every form and every keyed count', () => {
    for (const { source } of [...PROSE_FORMS, ...KEYED_COUNTS]) expect(source.length).toBeGreaterThan(10);
  });

  it.each([
    ['a decimal', 'took 1.5 new events ingested', {}],
    ['a number too long to be a count', `${'9'.repeat(16)} new events ingested`, {}],
    ['a number glued to a word', 'v2 new events ingested', { newEventsIngested: 2 }],
  ])('does not read %s as a count unless it is one', (_, text, expected) => {
    expect(readProseCounts(text)).toEqual(expected);
  });
});

describe('readFollowUpJobIds', () => {
  it('reads each job once, in order, with or without "the" and the colon', () => {
    const text = 'write job_id (can be tracked using jobs API): 7637 and (can be tracked using the jobs API) 12, again 7637';
    expect(readFollowUpJobIds(`${text} (can be tracked using jobs API): 7637`, 10)).toEqual({ ids: [7637, 12], cut: false });
  });

  it('stops at the limit and says so', () => {
    const text = Array.from({ length: 5 }, (_, i) => `can be tracked using jobs API: ${i + 1}`).join(' ');
    expect(readFollowUpJobIds(text, 3)).toEqual({ ids: [1, 2, 3], cut: true });
  });

  it('ignores zero and ids beyond the safe integers', () => {
    expect(readFollowUpJobIds(`can be tracked using jobs API: 0; can be tracked using jobs API: ${'9'.repeat(20)}`, 10).ids).toEqual([]);
  });
});
