/**
 * The characters SQS message bodies, SNS messages and their attribute values accept:
 * #x9, #xA, #xD, #x20–#xD7FF, #xE000–#xFFFD and #x10000–#x10FFFF, as well-formed UTF-16
 * (SQS SendMessage reference, "MessageBody"; aws-notes.md). Anything else makes the whole
 * request fail (`InvalidMessageContents`), so one odd character would stop a record for good.
 *
 * Each pattern looks at most one code unit around a match, so both are linear in the input.
 */
const UNSENDABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const UNSENDABLE_TEST = new RegExp(UNSENDABLE.source);

/** The replacement for a character SQS or SNS would refuse. */
export const REPLACEMENT_CHARACTER = '\uFFFD';

/** True when SQS and SNS accept every character of `text`. */
export function isSendableText(text: string): boolean {
  return !UNSENDABLE_TEST.test(text);
}

/**
 * `text` with every character SQS or SNS would refuse replaced by U+FFFD. For text the
 * watcher does not own (Alation's answers): it is passed on, visibly altered, rather than
 * making the message that carries it unsendable. Producers' text is refused instead
 * (see the job reference schema), so they learn of it at enqueue time.
 */
export function toSendableText(text: string): string {
  return isSendableText(text) ? text : text.replace(UNSENDABLE, REPLACEMENT_CHARACTER);
}

/**
 * The first `maxChars` UTF-16 code units of `text`, one fewer when the cut would fall between
 * the two halves of a surrogate pair: a bare `slice` there leaves a lone surrogate, which SQS and
 * SNS refuse and strict JSON readers reject. The one way the project cuts text it passes on.
 */
export function cutText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const end = maxChars > 0 && isHighSurrogate(text.charCodeAt(maxChars - 1)) && isLowSurrogate(text.charCodeAt(maxChars)) ? maxChars - 1 : maxChars;
  return text.slice(0, Math.max(0, end));
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
