import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import type { Outcome } from '../contracts/outcome';
import { cutText } from '../contracts/sendable-text';
import { outcomeEmailText } from './email-text';
import { MAX_SUBJECT_LENGTH, outcomeSubject } from './subject';

/** A test notification's subject starts so; the rest is the real subject, so filters still match. */
export const TEST_SUBJECT_PREFIX = '[TEST] ';
/** A test notification's email starts with this line, above the real text. */
export const TEST_EMAIL_HEADER = 'TEST NOTIFICATION from alation-job-watch notify-test: no job ran; nothing needs doing.';

/**
 * SNS refuses a publish over 256 KB (message, subject and attributes together); SNS did not
 * get the 1 MB raise that SQS did. We stay a margin below it.
 */
export const MAX_NOTIFICATION_BYTES = 256 * 1024 - 6 * 1024;
const MAX_TEXT_CHARS = 10_000;
const MAX_FOLLOW_UPS = 100;

/** What an SNS `Publish` needs, before the topic ARN is added. */
export interface Notification {
  readonly Subject: string;
  /** `{ default, email }`: JSON for every protocol but email, readable text for email. */
  readonly Message: string;
  readonly MessageStructure: 'json';
  /** `status`, `kind` (when known), `hasErrors`, `followUp` and `chain` ("true"/"false"), for filter policies. */
  readonly MessageAttributes: Record<string, MessageAttributeValue>;
  /** The outcome as sent, after any trimming. */
  readonly outcome: Outcome;
  /** What SNS counts toward its size limits: subject, message and attributes, in UTF-8 bytes. */
  readonly bytes: number;
}

/**
 * Builds the notification for an outcome, trimmed so the publish never fails on size:
 * first the raw `data`, then long `text`, then error objects (the count is kept), until it fits.
 */
export function buildNotification(outcome: Outcome, maxBytes: number = MAX_NOTIFICATION_BYTES): Notification {
  const attributes = messageAttributes(outcome);
  const attributeBytes = Object.entries(attributes).reduce(
    (sum, [name, value]) => sum + bytes(name) + bytes(value.DataType ?? '') + bytes(value.StringValue ?? ''),
    0,
  );
  const render = (o: Outcome) => {
    const Subject = o.test ? `${TEST_SUBJECT_PREFIX}${outcomeSubject(o)}`.slice(0, MAX_SUBJECT_LENGTH) : outcomeSubject(o);
    const email = o.test ? `${TEST_EMAIL_HEADER}\n\n${outcomeEmailText(o)}` : outcomeEmailText(o);
    const Message = JSON.stringify({ default: JSON.stringify(o), email });
    return { Subject, Message, size: bytes(Subject) + bytes(Message) + attributeBytes };
  };
  // The last render is kept: the common outcome fits at once, and is then rendered once, not twice.
  let last: { readonly outcome: Outcome; readonly rendered: ReturnType<typeof render> } | undefined;
  const fits = (o: Outcome) => {
    try {
      last = { outcome: o, rendered: render(o) };
      return last.rendered.size <= maxBytes;
    } catch {
      return false; // e.g. a result too deep for JSON.stringify: trimming drops it
    }
  };

  let sent = outcome;
  if (!fits(sent)) sent = withResult(sent, { data: null });
  if (!fits(sent)) {
    sent = {
      ...withResult(sent, { text: cut(sent.result.text, MAX_TEXT_CHARS), error: cut(sent.result.error, MAX_TEXT_CHARS) }),
      message: cut(sent.message, MAX_TEXT_CHARS),
      followUpJobIds: sent.followUpJobIds.slice(0, MAX_FOLLOW_UPS),
    };
  }
  if (!fits(sent)) sent = withResult(sent, { errorObjects: sent.result.errorObjects.slice(0, largestFitting(sent, fits)) });
  // Last resort: counts and status only. Every field left is bounded, so this always fits.
  if (!fits(sent)) {
    sent = {
      ...withResult(sent, { text: null, error: cut(sent.result.error, 1000), errorObjects: [] }),
      message: cut(sent.message, 1000),
      followUpJobIds: sent.followUpJobIds.slice(0, 10),
    };
  }

  const { Subject, Message, size } = last?.outcome === sent ? last.rendered : render(sent);
  return { Subject, Message, MessageStructure: 'json', MessageAttributes: attributes, outcome: sent, bytes: size };
}

/** The attributes subscribers filter on (`test` only on test notifications). SNS attribute values may not be empty. */
export function messageAttributes(outcome: Outcome): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {
    status: { DataType: 'String', StringValue: outcome.status },
    hasErrors: { DataType: 'String', StringValue: String(outcome.hasErrors) },
  };
  if (outcome.kind) attributes.kind = { DataType: 'String', StringValue: outcome.kind };
  // Only on test notifications, so a filter `{"test": [{"exists": false}]}` drops them.
  if (outcome.test) attributes.test = { DataType: 'String', StringValue: 'true' };
  // Follow-up chains: `followUp` marks a follow-up's own outcome, `chain` a chain's verdict (the last word).
  attributes.followUp = { DataType: 'String', StringValue: String(Boolean(outcome.parent)) };
  attributes.chain = { DataType: 'String', StringValue: String(outcome.chain !== undefined) };
  return attributes;
}

function withResult(outcome: Outcome, change: Partial<Outcome['result']>): Outcome {
  return { ...outcome, result: { ...outcome.result, ...change, truncated: true } };
}

/** Binary search for how many error objects fit. */
function largestFitting(outcome: Outcome, fits: (o: Outcome) => boolean): number {
  let low = 0;
  let high = outcome.result.errorObjects.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(withResult(outcome, { errorObjects: outcome.result.errorObjects.slice(0, mid) }))) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Cut on a code-point boundary: a split pair would be a lone surrogate subscribers refuse. */
function cut(text: string | null, length: number): string | null {
  return text !== null && text.length > length ? `${cutText(text, length)}…` : text;
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
