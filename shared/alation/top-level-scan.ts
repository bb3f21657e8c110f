/**
 * What a scan found for one wanted key: the value of its **last** occurrence, as `JSON.parse`
 * keeps the last of duplicate keys.
 * - `string`: the decoded string, already passed through the scanner's `clean`;
 * - `too_long`: a string longer than the key's byte budget (raw, escapes included): not kept,
 *   since keeping a cut piece could keep a cut piece of a credential too;
 * - `not_string`: a number, literal, object or list.
 */
export type ScannedValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'too_long' }
  | { readonly kind: 'not_string' };

/** The outcome of a scan: the wanted keys it saw, or why the text is not a JSON object. */
export interface TopLevelScan {
  /** Null when the text reads as one JSON object; otherwise what is wrong, in plain words. */
  readonly problem: string | null;
  /** The wanted keys found at the top level, each with its last value. */
  readonly values: ReadonlyMap<string, ScannedValue>;
}

export interface TopLevelScanner {
  /** Feeds the next bytes. Returns false once nothing more can change the scan (a problem was found). */
  write(chunk: Uint8Array): boolean;
  /** Ends the text and returns what was found. */
  end(): TopLevelScan;
}

export interface TopLevelScanOptions {
  /** The keys to read, each with the most bytes of its string value kept (raw, escapes included). */
  readonly keys: Readonly<Record<string, number>>;
  /**
   * Applied to every decoded string before it leaves the scanner, so no caller ever holds an
   * uncleaned one (the client's credential redaction, `KnownSecrets.clean`).
   */
  readonly clean: (text: string) => string;
}

const enum Phase {
  /** Before the opening brace. */
  Start,
  /** After `{` or `,`: a key (or, right after `{`, the closing brace). */
  Key,
  /** After a key: the colon. */
  Colon,
  /** After the colon: a value. */
  Value,
  /** Inside a bare scalar (number, `true`, `false`, `null`) at the top level. */
  Scalar,
  /** After a value: `,` or `}`. */
  AfterValue,
  /** After the closing brace: only whitespace may follow. */
  Done,
}

const enum Role {
  Key,
  WantedValue,
  Skipped,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_LIST = 0x5b;
const CLOSE_LIST = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

/** The bytes that matter inside a member's value outside strings: quotes and brackets. */
const IS_STRUCTURAL = new Uint8Array(256);
for (const b of [QUOTE, OPEN_OBJECT, CLOSE_OBJECT, OPEN_LIST, CLOSE_LIST]) IS_STRUCTURAL[b] = 1;

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * A streaming scanner of a JSON object's **top-level** keys, for an Alation answer too large to
 * decode: it reads `status` and `msg` out of tens of MiB without keeping more than the few
 * bytes of those values. One pass over the bytes, constant work per byte, memory bounded by the
 * wanted values' budgets (one buffer each, allocated once): nothing is recursive, nothing is a
 * regular expression, and the text is never decoded as a whole, only the last value of each
 * wanted key, once, at the end. Bytes may arrive in chunks cut anywhere (inside a string,
 * an escape or a UTF-8 sequence): the state carries over.
 *
 * It is a structural scan, not a validator: it checks the shape of the top-level object (keys,
 * colons, commas, braces), that every string and bracket closes and that only whitespace
 * follows; values nested inside a member are skipped (their brackets counted, their strings
 * stepped over) without being checked. For every valid JSON object it agrees with `JSON.parse`:
 * keys spelt with escapes (`"st\u0061tus"`) match, nested keys of the same name are not taken,
 * and of duplicate keys the last wins.
 */
export function createTopLevelScanner(options: TopLevelScanOptions): TopLevelScanner {
  const wanted = new Map(Object.entries(options.keys));
  // A wanted key is at most six bytes per UTF-16 unit as written (`\uXXXX`): a longer key is none of them.
  const maxKeyBytes = Math.max(0, ...[...wanted.keys()].map((k) => 6 * k.length));
  const keyBytes = new Uint8Array(maxKeyBytes);
  // Keys written without escapes (nearly all) are matched byte for byte, without decoding.
  const plainKeys = [...wanted.keys()].map((key) => ({ key, bytes: ENCODER.encode(key) }));
  // The last value seen of each wanted key, as written: decoded and cleaned once, at the end,
  // so an answer repeating a key costs a copy per repeat, not a decode.
  const slots = new Map<string, Slot>([...wanted].map(([key, budget]) => [key, { bytes: new Uint8Array(budget), length: 0, kind: 'absent' }]));

  let phase = Phase.Start;
  /** Brackets open inside the current member's value (0 at the top level). */
  let depth = 0;
  let inString = false;
  let escaped = false;
  let role = Role.Skipped;
  /** Where the string being read is kept (a key, or a wanted value's slot), and how much of it. */
  let capture: Uint8Array = keyBytes;
  let captured = 0;
  let captureLimit = 0;
  let overflow = false;
  let keyEscaped = false;
  /** The wanted key whose value comes next, or null. */
  let currentKey: string | null = null;
  let problem: string | null = null;
  /** Right after `{`: the object may still close empty. */
  let firstMember = false;

  const nextMember = () => {
    phase = Phase.Key;
    firstMember = false;
    currentKey = null;
  };

  const fail = (what: string): false => {
    problem ??= what;
    return false;
  };

  const startString = (next: Role, into: Uint8Array) => {
    inString = true;
    role = next;
    capture = into;
    captured = 0;
    captureLimit = next === Role.Skipped ? 0 : into.length;
    overflow = false;
    keyEscaped = false;
  };

  /** The key just read, if it is a wanted one. */
  const wantedKey = (): string | null | undefined => {
    if (!keyEscaped) {
      const match = plainKeys.find(({ bytes }) => bytes.length === captured && bytes.every((b, i) => keyBytes[i] === b));
      return match ? match.key : null;
    }
    const key = decodeString(keyBytes, captured);
    return key === undefined ? undefined : wanted.has(key) ? key : null;
  };

  const endString = (): boolean => {
    inString = false;
    if (role === Role.Key) {
      phase = Phase.Colon;
      const key = overflow ? null : wantedKey();
      if (key === undefined) return fail('a key is not a valid JSON string');
      currentKey = key;
      return true;
    }
    if (role === Role.WantedValue && currentKey !== null) {
      const slot = slots.get(currentKey)!;
      slot.kind = overflow ? 'too_long' : 'string';
      slot.length = captured;
    }
    if (depth === 0) phase = Phase.AfterValue;
    return true;
  };

  const step = (b: number): boolean => {
    if (inString) {
      if (escaped) escaped = false;
      else if (b === BACKSLASH) escaped = keyEscaped = true;
      else if (b === QUOTE) return endString();
      if (role !== Role.Skipped) {
        if (captured < captureLimit) capture[captured++] = b;
        else overflow = true;
      }
      return true;
    }
    if (depth > 0) {
      // Inside a member's value: only strings and brackets matter.
      if (b === QUOTE) startString(Role.Skipped, keyBytes);
      else if (b === OPEN_OBJECT || b === OPEN_LIST) depth++;
      else if (b === CLOSE_OBJECT || b === CLOSE_LIST) {
        if (--depth === 0) phase = Phase.AfterValue;
      }
      return true;
    }
    switch (phase) {
      case Phase.Start:
        if (isWhitespace(b)) return true;
        if (b !== OPEN_OBJECT) return fail('it does not start with "{"');
        phase = Phase.Key;
        firstMember = true;
        return true;
      case Phase.Key:
        if (isWhitespace(b)) return true;
        if (b === QUOTE) {
          startString(Role.Key, keyBytes);
          return true;
        }
        if (b === CLOSE_OBJECT && firstMember) {
          phase = Phase.Done;
          return true;
        }
        return fail('a key is missing in the top-level object');
      case Phase.Colon:
        if (isWhitespace(b)) return true;
        if (b !== COLON) return fail('a colon is missing after a key');
        phase = Phase.Value;
        return true;
      case Phase.Value:
        if (isWhitespace(b)) return true;
        if (b === QUOTE) {
          if (currentKey === null) startString(Role.Skipped, keyBytes);
          else startString(Role.WantedValue, slots.get(currentKey)!.bytes);
          return true;
        }
        if (currentKey !== null) slots.get(currentKey)!.kind = 'not_string';
        if (b === OPEN_OBJECT || b === OPEN_LIST) {
          depth = 1;
          return true;
        }
        if (b === COMMA || b === CLOSE_OBJECT || b === COLON || b === CLOSE_LIST) return fail('a value is missing in the top-level object');
        phase = Phase.Scalar;
        return true;
      case Phase.Scalar:
        if (isWhitespace(b)) phase = Phase.AfterValue;
        else if (b === COMMA) nextMember();
        else if (b === CLOSE_OBJECT) phase = Phase.Done;
        else if (b === QUOTE || b === OPEN_OBJECT || b === OPEN_LIST || b === CLOSE_LIST || b === COLON) return fail('a value in the top-level object is malformed');
        return true;
      case Phase.AfterValue:
        if (isWhitespace(b)) return true;
        if (b === COMMA) nextMember();
        else if (b === CLOSE_OBJECT) phase = Phase.Done;
        else return fail('a comma or closing brace is missing in the top-level object');
        return true;
      case Phase.Done:
        return isWhitespace(b) || fail('text follows the JSON object');
    }
  };

  return {
    write(chunk) {
      if (problem !== null) return false;
      const n = chunk.length;
      for (let i = 0; i < n; i++) {
        // Fast path through the bulk of a large answer (the skipped `result`): plain bytes of a
        // skipped string, and plain bytes between brackets, need no state change.
        if (inString && role === Role.Skipped && !escaped) {
          while (i < n && chunk[i] !== QUOTE && chunk[i] !== BACKSLASH) i++;
        } else if (!inString && depth > 0) {
          while (i < n && !IS_STRUCTURAL[chunk[i]!]) i++;
        }
        if (i < n && !step(chunk[i]!)) return false;
      }
      return true;
    },
    end() {
      if (problem === null && phase !== Phase.Done) fail('it ends before its closing brace');
      const values = new Map<string, ScannedValue>();
      for (const [key, slot] of slots) {
        if (problem !== null) break;
        if (slot.kind === 'absent') continue;
        if (slot.kind !== 'string') {
          values.set(key, { kind: slot.kind });
          continue;
        }
        const value = decodeString(slot.bytes, slot.length);
        if (value === undefined) fail(`the value of "${key}" is not a valid JSON string`);
        // Cleaned before it leaves the scanner: no caller ever holds the uncleaned string.
        else values.set(key, { kind: 'string', value: options.clean(value) });
      }
      return { problem, values: problem === null ? values : new Map() };
    },
  };
}

/** The last value of a wanted key, as written (between its quotes). */
interface Slot {
  readonly bytes: Uint8Array;
  length: number;
  kind: 'absent' | 'string' | 'too_long' | 'not_string';
}

// Not fatal: a malformed UTF-8 sequence becomes U+FFFD, as it does when a whole answer is decoded.
const DECODER = new TextDecoder('utf-8');
const ENCODER = new TextEncoder();

/** A string as written between its quotes, decoded as JSON decodes it; undefined if it does not decode. */
function decodeString(bytes: Uint8Array, length: number): string | undefined {
  try {
    // One complete string literal of bounded length: not a parse of the answer.
    const decoded: unknown = JSON.parse(`"${DECODER.decode(bytes.subarray(0, length))}"`);
    return typeof decoded === 'string' ? decoded : undefined;
  } catch {
    return undefined;
  }
}
