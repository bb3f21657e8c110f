/**
 * Alation responses, built by small factories. The two `reference*` ones are the exact
 * bodies on Alation's "Job Status" reference page.
 */
import type { AlationJobStatus } from '../../shared/alation/job-status';

export const referenceNameExample = (): AlationJobStatus => ({
  status: 'successful',
  msg: 'Job finished in 2.0 seconds at 2017-10-05 19:36:48.374593+00:00',
  result:
    '{"updated_objects": 1, "number_received": 2, "error_objects": ["Line 1. Key: schema_b. Datasource id in key does not match the id in the request"], "error": "1 errors were ignored"}',
});

export const referenceIdExample = (): AlationJobStatus => ({
  status: 'successful',
  msg: 'Job finished in 0.585993 seconds at 2017-11-30 18:59:10.445133+00:00',
  result: 'Bulk Query Ingestion Succeeded: 0 new events ingested, 1 previously-ingested events skipped.',
});

export const statusResponse = (status: string, overrides: Partial<AlationJobStatus> = {}): AlationJobStatus => ({
  status,
  msg: status === 'running' ? '' : 'Job finished in 1.0 seconds at 2017-01-12 23:52:34.307327+00:00',
  result: status === 'running' ? null : '{"updated_objects": 2, "number_received": 2, "error_objects": [], "error": ""}',
  ...overrides,
});
