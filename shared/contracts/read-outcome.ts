import { OutcomeSchema, type Outcome } from './outcome';

/**
 * Reads an outcome from what a subscriber receives, whichever way SNS delivered it:
 * the outcome JSON itself (raw delivery to SQS, or the `default` text), the SNS envelope
 * (`{"Type": "Notification", "Message": ...}`), or the `{default, email}` structure, which
 * is what local stand-ins without `MessageStructure` support deliver.
 *
 * @throws Error naming what the body was when it holds no valid outcome.
 */
export function readOutcomeMessage(body: string): Outcome {
  let value: unknown = parse(body);
  for (let depth = 0; depth < 3 && isRecord(value); depth++) {
    if (value.schema !== undefined) break;
    const inner = typeof value.Message === 'string' ? value.Message : typeof value.default === 'string' ? value.default : undefined;
    if (inner === undefined) break;
    value = parse(inner);
  }
  const parsed = OutcomeSchema.safeParse(value);
  if (!parsed.success) throw new Error(`not an alation.job-outcome/v1 message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
