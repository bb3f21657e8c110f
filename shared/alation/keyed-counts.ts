import type { ProseCountField } from './prose-counts';

/** A count that a result states as a JSON field, with where the field was seen. */
export interface KeyedCount {
  readonly key: string;
  readonly field: ProseCountField;
  readonly source: string;
}

/**
 * Count fields of JSON results. Found at any depth the walk reaches and added up, because
 * several APIs answer with one such object per batch (a list of them).
 */
export const KEYED_COUNTS: readonly KeyedCount[] = [
  { key: 'updated_objects', field: 'updatedObjects', source: 'Alation API reference "Job Status" (success example)' },
  { key: 'number_received', field: 'numberReceived', source: 'Alation API reference "Job Status" (success example)' },
  { key: 'created_term_count', field: 'createdCount', source: 'Allie-SDK allie_sdk/models/job_model.py (documents and glossary terms POST)' },
  { key: 'created_folder_count', field: 'createdCount', source: 'Allie-SDK allie_sdk/models/job_model.py (document hub folders POST)' },
  { key: 'updated_term_count', field: 'updatedObjects', source: 'Allie-SDK allie_sdk/models/job_model.py (documents and glossary terms PUT)' },
  { key: 'updated_folder_count', field: 'updatedObjects', source: 'Allie-SDK allie_sdk/models/job_model.py (document hub folders PUT)' },
  {
    key: 'failure_count',
    field: 'failedCount',
    source: 'Allie-SDK tests/methods/test_data_quality.py and example_errors/data_quality/post_data_quality_values_wrong_object_key.py (a successful job with failure_count 1)',
  },
];

/** A JSON count: a non-negative safe integer, or a string of digits holding one. */
export function toCount(value: unknown): number | null {
  const n = typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}
