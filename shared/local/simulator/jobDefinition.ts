import { z } from 'zod';
import { InvalidJobDefinitionError } from './errors';
import { PRESET_NAMES, type PresetName } from './presets';
import type { JobDefinition, JsonValue } from './types';

const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonValueSchema),
    z.record(z.string(), jsonValueSchema),
  ]),
);

/**
 * Schema of one {@link JobDefinition}. Strict, so a misspelt key (`duration` for `durationMs`)
 * fails loudly instead of silently giving a job that finishes at once.
 */
export const jobDefinitionSchema = z
  .strictObject({
    id: z.int().positive().optional(),
    name: z.string().min(1).optional(),
    durationMs: z.number().nonnegative().finite().optional(),
    pollsBeforeDone: z.int().nonnegative().optional(),
    preset: z.enum(PRESET_NAMES as [PresetName, ...PresetName[]]).optional(),
    body: z
      .strictObject({
        status: z.string().min(1),
        msg: z.string().optional(),
        result: jsonValueSchema,
      })
      .optional(),
    followUpJobId: z.int().positive().optional(),
  })
  .refine((definition) => definition.preset === undefined || definition.body === undefined, {
    message: 'give either preset or body, not both',
    path: ['body'],
  });

/** A job definition that passed {@link jobDefinitionSchema}: `preset` is a known name. */
export type ValidJobDefinition = z.infer<typeof jobDefinitionSchema> & JobDefinition;

/**
 * Validates untrusted input (a scenario entry, an admin request body) as a job definition.
 *
 * @param field - where the input came from, prefixed to the failing field's path in the error
 * @throws InvalidJobDefinitionError naming the first bad field, e.g. `jobs.1.preset`
 */
export function parseJobDefinition(input: unknown, field = 'job'): ValidJobDefinition {
  const parsed = jobDefinitionSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = [field, ...(issue?.path ?? []).map(String)].join('.');
  throw new InvalidJobDefinitionError(path, issue?.message ?? 'invalid job definition', {
    cause: parsed.error,
  });
}
