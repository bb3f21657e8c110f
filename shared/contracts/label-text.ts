import { isSendableText } from './sendable-text';

// C0/C1 control characters: never part of a real job name, often a sign of a broken producer.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
// Characters that change how the text around them is shown, not what it says: line and
// paragraph separators (a new line in emails and terminals), bidirectional embeddings and
// overrides (U+202A–U+202E, "Trojan Source", CVE-2021-42574) and isolates (U+2066–U+2069).
const LAYOUT_CHARACTERS = /[\u2028\u2029\u202A-\u202E\u2066-\u2069]/;
// Invisible format characters (category Cf: zero-width space and joiners, BOM, soft hyphen,
// tag characters, ...): `prod\u200B-lineage` would print exactly like `prod-lineage`.
const FORMAT_CHARACTERS = /\p{Cf}/u;

/** The problem named for text SQS or SNS would refuse. */
export const UNSENDABLE_PROBLEM = 'must be well-formed text without U+FFFE or U+FFFF (a lone surrogate or a non-character cannot be sent)';

/**
 * Why `text` cannot be a label the watcher repeats to people and to AWS (a job name, a
 * `kind`), or undefined when it can. Labels end up in URLs, SNS message attributes, email
 * subjects and terminal lines, so they must be text SQS and SNS accept
 * ({@link isSendableText}) and must not be able to pose as other text.
 *
 * Each test is one linear regex scan.
 */
export function labelTextProblem(text: string): string | undefined {
  if (CONTROL_CHARACTERS.test(text)) return 'must not contain control characters';
  if (!isSendableText(text)) return UNSENDABLE_PROBLEM;
  if (LAYOUT_CHARACTERS.test(text)) return 'must not contain line separators or bidirectional controls (U+2028, U+2029, U+202A–U+202E, U+2066–U+2069)';
  if (FORMAT_CHARACTERS.test(text)) return 'must not contain invisible format characters (Unicode category Cf, e.g. U+200B, U+FEFF, U+00AD)';
  return undefined;
}
