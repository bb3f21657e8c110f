/**
 * Text from Alation and from producers (messages, job names, kinds, result text) shown to
 * people: in emails, in subjects, on a terminal. Shown raw, it can lie:
 * - a line break in a value starts a new line that looks like a field of our own
 *   (`msg: "oops\nStatus: successful"` wrote a fake status into a failed job's email);
 * - bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069, and the marks
 *   U+200E, U+200F, U+061C) make text display in another order than it reads ("Trojan Source");
 * - control characters (C0, DEL, C1) drive terminals: ESC sequences can rewrite what
 *   `check`/`tail` printed before, or retitle the window.
 *
 * The rule, in one place: line breaks of every kind (CR, LF, CRLF, VT, FF, NEL, U+2028,
 * U+2029) end a line; other controls become U+FFFD (visible, so nothing is silently
 * hidden); tabs become a space; format characters (bidi controls, zero-width and other invisible ones) are removed; lone surrogates become U+FFFD.
 * One pass of one character-class regex each: linear in the input, no backtracking.
 */

import { REPLACEMENT_CHARACTER, toSendableText } from '../contracts/sendable-text';

/** Line breaks of every kind. */
const LINE_BREAK = /\r\n|[\n\r\u000B\u000C\u0085\u2028\u2029]/g;
/** Controls other than line breaks and tab: C0, DEL, C1. */
const CONTROL = /[\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F]/g;
/**
 * Format characters (Unicode category Cf): the bidirectional embeddings, overrides, isolates and
 * marks, and also the invisible ones — zero-width space and joiners, word joiner, BOM, soft
 * hyphen, the deprecated format controls U+206A–U+206F, interlinear annotations, tag characters.
 * Shown, they either reorder text or make two different names look the same
 * (`prod\u200B-lineage` prints as `prod-lineage`), so they are removed.
 */
const FORMAT = /\p{Cf}/gu;
/** Characters a JSON string may carry unescaped that a terminal or a reader could misread. */
const JSON_UNSAFE = /[\u007F-\u009F\u2028\u2029]|\p{Cf}/gu;
/** `\uXXXX` for each UTF-16 unit of `c` (a tag character is two). */
const escapeUnits = (c: string): string => Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');

/** Shown in place of a line break inside a one-line value. */
export const LINE_BREAK_MARK = ' ⏎ ';


/** The value on one line: line breaks shown as {@link LINE_BREAK_MARK}. */
export function safeLine(text: string): string {
  return safeLines(text).join(LINE_BREAK_MARK);
}

/** The value's lines, each safe to print: no breaks, controls or bidi characters left in any. */
export function safeLines(text: string): string[] {
  // Breaks become LF first; toSendableText then turns lone surrogates, the other C0 controls and
  // U+FFFE/U+FFFF into U+FFFD (one rule for them, shared with SQS/SNS), and LF is left to split on.
  return toSendableText(text.replace(LINE_BREAK, '\n'))
    .replace(FORMAT, '')
    .replace(/\t/g, ' ')
    .replace(CONTROL, REPLACEMENT_CHARACTER)
    .split('\n');
}

/**
 * A multi-line value under a label: the first line beside it, the others indented by
 * `indent`, so no line of a value starts where a label does and none can pose as a field.
 */
export function safeBlock(text: string, indent: string): string {
  return safeLines(text)
    .map((line, i) => (i === 0 ? line : `${indent}${line}`))
    .join('\n');
}

/**
 * JSON for a terminal: the same value (any parser reads it back identically), with the
 * characters JSON leaves raw that could mislead a reader (C1 controls, U+2028/9, bidi)
 * written as `\uXXXX` escapes. They can only occur inside strings, where escapes are valid.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNSAFE, escapeUnits);
}
