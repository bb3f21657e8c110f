import { toSendableText } from '../contracts/sendable-text';
import { exceedsJsonValues } from './json-budget';
import { MAX_ANSWER_JSON_VALUES } from './parse-limits';

/** What a credential is replaced with. */
export const REDACTED = '[redacted]';

/** Shorter strings are not treated as credentials: cutting them out would shred ordinary text. */
const MIN_SECRET_LENGTH = 8;
/** Credentials remembered per client: the current access and refresh tokens and a few former ones. */
const MAX_REMEMBERED_SECRETS = 8;

/**
 * The credentials one Alation client has handed to Alation or received from it (access tokens,
 * refresh tokens), so that every string coming back from Alation can be cleaned of all of them:
 * a refresh token echoed in a status answer is cut out as surely as the access token.
 */
export class KnownSecrets {
  private secrets: string[] = [];

  /** Remembers a credential (the most recent first; the oldest is forgotten past eight). */
  add(secret: string): void {
    if (secret.length < MIN_SECRET_LENGTH || this.secrets[0] === secret) return;
    this.secrets = [secret, ...this.secrets.filter((s) => s !== secret)].slice(0, MAX_REMEMBERED_SECRETS);
  }

  /**
   * `text` without any known credential, then made sendable (U+FFFD for what SQS and SNS
   * refuse). Run on the whole text before anything cuts it: a credential straddling a cut
   * would otherwise leave its prefix behind.
   */
  clean(text: string): string {
    let cleaned = text;
    // Longest first, so a credential that contains another is cut out whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (cleaned.includes(secret)) cleaned = cleaned.split(secret).join(REDACTED);
    }
    return toSendableText(cleaned);
  }

  /**
   * One string value from Alation cleaned as {@link cleanJson} cleans each string of a decoded
   * answer: when it is JSON text holding escapes, its decoded strings are cleaned too (a
   * credential spelt with `\u` escapes inside JSON text in a `msg`), otherwise {@link clean}.
   * For strings read without decoding the answer (the oversized-answer scanner), so an answer's
   * size never changes what is cut out of it.
   */
  cleanString(text: string): string {
    return this.cleanEmbeddedJson(text) ?? this.clean(text);
  }

  /**
   * Cleans every string of a parsed JSON value in place, keys included, and returns how many
   * strings changed. Iterative, with one frame per level of nesting (not per node), so any
   * depth `JSON.parse` accepted is walked without recursion, in time linear in the number of
   * nodes and with memory that grows with the depth only.
   */
  cleanJson(root: { value: unknown }): number {
    let changed = 0;
    const clean = (text: string): string => {
      const cleaned = this.cleanString(text);
      if (cleaned !== text) changed++;
      return cleaned;
    };
    type Frame = { readonly container: Record<string, unknown> | unknown[]; readonly keys: readonly string[] | null; index: number };
    const frames: Frame[] = [{ container: root as Record<string, unknown>, keys: ['value'], index: 0 }];
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const length = frame.keys ? frame.keys.length : (frame.container as unknown[]).length;
      if (frame.index >= length) {
        frames.pop();
        continue;
      }
      const position = frame.index++;
      const holder = frame.container as Record<string | number, unknown>;
      let key: string | number = frame.keys ? frame.keys[position]! : position;
      if (typeof key === 'string' && frame.container !== root) {
        const cleanedKey = clean(key);
        if (cleanedKey !== key) {
          // defineProperty: a key cleaned into "__proto__" stays an own key, not the prototype.
          Object.defineProperty(holder, cleanedKey, { value: holder[key], enumerable: true, writable: true, configurable: true });
          delete holder[key];
          key = cleanedKey;
        }
      }
      const node = holder[key];
      if (typeof node === 'string') holder[key] = clean(node);
      else if (Array.isArray(node)) frames.push({ container: node, keys: null, index: 0 });
      else if (typeof node === 'object' && node !== null) frames.push({ container: node as Record<string, unknown>, keys: Object.keys(node), index: 0 });
    }
    return changed;
  }

  /**
   * Alation's `result` is often JSON inside a string, and the result parser decodes any string
   * that is JSON text once trimmed (an object, a list or a string literal such as `"\u0074..."`).
   * Once decoded, its escapes can spell a credential the string does not hold literally, so
   * every string the parser would decode is decoded here the same way (trimmed, within the same
   * value budget), cleaned, and written back (re-serialised) only when that changed something.
   * Only strings holding a backslash are looked into: without an escape, the plain cleaning saw
   * every character as a parser would. Numbers, `true`, `false` and `null` hold no text.
   * @returns the cleaned text, or undefined when the string is not such JSON or needed nothing.
   */
  private cleanEmbeddedJson(text: string): string | undefined {
    if (!text.includes('\\')) return undefined;
    const trimmed = text.trim();
    if (!/^[[{"]/.test(trimmed)) return undefined;
    // Decoding costs memory per value: a text past the budget is not decoded here, nor by the
    // parser (which reads it as text), so escapes in it never spell anything (json-budget.ts).
    if (exceedsJsonValues(trimmed, MAX_ANSWER_JSON_VALUES)) return undefined;
    let inner: { value: unknown };
    try {
      inner = { value: JSON.parse(trimmed) };
    } catch {
      return undefined;
    }
    return this.cleanJson(inner) > 0 ? JSON.stringify(inner.value) : undefined;
  }

  /**
   * Text that is not JSON (a body cut short by a proxy or a timeout) is still read by people
   * as JSON, and may be decoded further on: it is cleaned as it is, then its JSON escapes are
   * undone and the result cleaned again, so a credential spelt with `\u` escapes in a broken
   * answer is cut out too. Returns the unescaped, cleaned text. One linear pass.
   */
  cleanUnparsed(text: string): string {
    const plain = this.clean(text);
    if (!plain.includes('\\')) return plain;
    return this.clean(plain.replace(JSON_ESCAPE, (escape: string) => unescapeJson(escape)));
  }
}

/** One JSON string escape: `\uXXXX` or a one-character escape. */
const JSON_ESCAPE = /\\(?:u[0-9a-fA-F]{4}|["\\/bfnrt])/g;
const SHORT_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function unescapeJson(escape: string): string {
  return escape[1] === 'u' ? String.fromCharCode(Number.parseInt(escape.slice(2), 16)) : SHORT_ESCAPES[escape[1]!]!;
}

