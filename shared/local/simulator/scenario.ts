import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InvalidJobDefinitionError, ScenarioFileError } from './errors';
import { parseJobDefinition } from './jobDefinition';
import type { JobDefinition } from './types';

const scenarioSchema = z.strictObject({ jobs: z.array(z.unknown()) });

/**
 * Validates a parsed scenario: `{ "jobs": [JobDefinition, ...] }`.
 *
 * @throws InvalidJobDefinitionError naming the bad field, e.g. `jobs.1.durationMs`
 */
export function parseScenario(input: unknown): JobDefinition[] {
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = ['scenario', ...(issue?.path ?? []).map(String)].join('.');
    throw new InvalidJobDefinitionError(field, issue?.message ?? 'invalid scenario', { cause: parsed.error });
  }
  return parsed.data.jobs.map((job, index) => parseJobDefinition(job, `jobs.${index}`));
}

/**
 * Reads and validates a scenario file.
 *
 * @example
 * // scenario.json: {"jobs": [{"name": "MetadataExtraction#1_x", "durationMs": 2000, "preset": "countsWithErrors"}]}
 * const jobs = await loadScenario('scenario.json');
 * @throws ScenarioFileError when the file cannot be read or is not JSON
 * @throws InvalidJobDefinitionError when a job in it is malformed
 */
export async function loadScenario(path: string): Promise<JobDefinition[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ScenarioFileError(path, 'cannot read the scenario file', { cause: error });
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new ScenarioFileError(path, 'the scenario file is not valid JSON', { cause: error });
  }
  try {
    return parseScenario(input);
  } catch (error) {
    if (error instanceof InvalidJobDefinitionError) {
      throw new InvalidJobDefinitionError(error.field, `${error.message.slice(error.field.length + 2)} (in ${path})`, {
        cause: error,
      });
    }
    throw error;
  }
}
