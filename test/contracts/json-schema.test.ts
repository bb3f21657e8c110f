import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMA_FILES, jobReferenceJsonSchema, renderJsonSchema } from '../../shared/contracts/json-schema';

describe('JSON Schema files', () => {
  it.each(Object.entries(JSON_SCHEMA_FILES))('%s matches the zod schema (run `npm run schemas` after a change)', (path, build) => {
    expect(readFileSync(path, 'utf8')).toBe(renderJsonSchema(build()));
  });

  it('requires exactly one job identifier and rejects unknown fields', () => {
    const schema = jobReferenceJsonSchema();
    expect(schema.oneOf).toEqual([
      { required: ['jobId'] },
      { required: ['job_id'] },
      { required: ['jobName'] },
      { required: ['job_name'] },
    ]);
    expect(schema.additionalProperties).toBe(false);
  });
});
