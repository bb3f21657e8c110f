/**
 * Regenerates the committed JSON Schema files from the zod schemas (`npm run schemas`).
 * A test fails when the committed files drift from the code.
 */
import { writeFileSync } from 'node:fs';
import { JSON_SCHEMA_FILES, renderJsonSchema } from './json-schema';

for (const [path, build] of Object.entries(JSON_SCHEMA_FILES)) {
  writeFileSync(path, renderJsonSchema(build()));
  console.log(`wrote ${path}`);
}
