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
  /** The keys to read (printable ASCII), each with the most bytes of its string value kept (raw, escapes included). */
  readonly keys: Readonly<Record<string, number>>;
  /**
   * Applied to every decoded string before it leaves the scanner, so no caller ever holds an
   * uncleaned one (the client's credential redaction, `KnownSecrets.cleanString`).
   */
  readonly clean: (text: string) => string;
}

const enum State {
  /** Before the opening brace. */
  Start,
  /** After `{`: a key or the closing brace. */
  ObjectFirstKey,
  /** After a comma in an object: a key. */
  ObjectKey,
  /** After a key: the colon. */
  Colon,
  /** After a colon or a comma in a list: a value. */
  Value,
  /** After `[`: a value or the closing bracket. */
  ListFirstValue,
  /** After a value: a comma or the closing brace or bracket of the innermost container. */
  AfterValue,
  /** After the top-level object closed: only whitespace may follow. */
  Done,
  /** Inside a string. */
  String,
  /** After a backslash in a string. */
  Escape,
  /** Inside the four hex digits of a `\u` escape. */
  Unicode,
  // A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, one state per position in its grammar.
  Minus,
  Zero,
  Integer,
  Dot,
  Fraction,
  Exponent,
  ExponentSign,
  ExponentDigits,
  /** Inside `true`, `false` or `null`. */
  Literal,
}

const enum Role {
  /** A top-level key: decoded as it is read, to match the wanted keys. */
  Key,
  /** The string value of a wanted top-level key: kept as written, within its budget. */
  WantedValue,
  /** Any other string: checked, not kept. */
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
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Bytes a string may hold as they are: not a quote, a backslash or a control character (JSON allows DEL and every byte ≥ 0x80). */
const IS_PLAIN_STRING_BYTE = new Uint8Array(256);
for (let b = 0x20; b < 256; b++) IS_PLAIN_STRING_BYTE[b] = b === QUOTE || b === BACKSLASH ? 0 : 1;
/** The UTF-16 unit each one-character escape stands for, or -1 (`\u` is read apart). */
const SHORT_ESCAPE = new Int32Array(256).fill(-1);
for (const [c, unit] of [['"', 0x22], ['\\', 0x5c], ['/', 0x2f], ['b', 0x08], ['f', 0x0c], ['n', 0x0a], ['r', 0x0d], ['t', 0x09]] as const) {
  SHORT_ESCAPE[c.charCodeAt(0)] = unit;
}
/** The value of a hex digit, or -1. */
const HEX = new Int32Array(256).fill(-1);
for (let d = 0; d < 16; d++) {
  HEX['0123456789abcdef'.charCodeAt(d)] = d;
  HEX['0123456789ABCDEF'.charCodeAt(d)] = d;
}
const TRUE = new Uint8Array([0x74, 0x72, 0x75, 0x65]);
const FALSE = new Uint8Array([0x66, 0x61, 0x6c, 0x73, 0x65]);
const NULL = new Uint8Array([0x6e, 0x75, 0x6c, 0x6c]);

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function isDigit(b: number): boolean {
  return b >= ZERO && b <= NINE;
}

/**
 * A streaming scanner of a JSON object's **top-level** keys, for an Alation answer too large to
 * decode: it reads `status` and `msg` out of tens of MiB without keeping more than the few
 * bytes of those values. One pass over the bytes, constant work per byte, no recursion, no
 * regular expression; the text is never decoded as a whole, only the last value of each
 * wanted key, once, at the end. Bytes may arrive in chunks cut anywhere (inside a string,
 * an escape, a number, a literal or a UTF-8 sequence): the state carries over.
 *
 * It is a validator too: it accepts exactly the texts `JSON.parse` accepts whose value is an
 * object (brackets matched by kind at any depth, strings without raw control characters and
 * with valid escapes only, the number grammar, `true`/`false`/`null` spelt out, commas and
 * colons in place, nothing but whitespace after; a byte-order mark is refused, as `JSON.parse`
 * refuses U+FEFF), so an answer's status never depends on its size: text that is not JSON is
 * a problem here as it is when decoded whole. Depth costs one bit per open bracket (a
 * `Uint8Array` grown by doubling, at most an eighth of the bytes read): `JSON.parse` has no
 * depth limit either. For every valid object it agrees with `JSON.parse` on the wanted keys:
 * keys spelt with escapes (`"st\u0061tus"`) match, nested keys of the same name are not
 * taken, and of duplicate keys the last wins.
 */
export function createTopLevelScanner(options: TopLevelScanOptions): TopLevelScanner {
  const wanted = Object.entries(options.keys).map(([key, budget]) => {
    // Keys are matched as decoded UTF-16 units, raw bytes ≥ 0x80 never matching: ASCII keys only.
    if (!/^[\x20-\x7e]*$/.test(key)) throw new RangeError(`createTopLevelScanner: the wanted key ${JSON.stringify(key)} is not printable ASCII`);
    return { key, units: Uint16Array.from(key, (c) => c.charCodeAt(0)), slot: { bytes: new Uint8Array(budget), length: 0, kind: 'absent' } as Slot };
  });
  // The decoded top-level key being read, up to the longest wanted key; a longer key is none of them.
  const keyUnits = new Uint16Array(Math.max(0, ...wanted.map(({ units }) => units.length)));
  let keyLength = 0;
  /** The key being read cannot be a wanted one (too long, or a raw byte ≥ 0x80). */
  let keyMiss = false;

  let state = State.Start;
  /** Containers open, the top-level object included. */
  let depth = 0;
  /** One bit per open container, 1 for an object, 0 for a list; grown by doubling. */
  let kinds = new Uint8Array(64);
  let role = Role.Skipped;
  /** Whether the string being read is a key (of any object), so a colon follows it. */
  let stringIsKey = false;
  let hexLeft = 0;
  let hexValue = 0;
  let literal = TRUE;
  let literalAt = 0;
  /** Where a wanted value is kept as it is read, and how much of it. */
  let slot: Slot | null = null;
  let captured = 0;
  let overflow = false;
  /** The wanted key whose value comes next, or null. */
  let current: Slot | null = null;
  let problem: string | null = null;

  const where = () => (depth === 1 ? 'in the top-level object' : 'in a nested value');

  const fail = (what: string): false => {
    problem ??= what;
    return false;
  };

  const push = (isObject: boolean) => {
    const at = depth >> 3;
    if (at >= kinds.length) {
      const grown = new Uint8Array(kinds.length * 2);
      grown.set(kinds);
      kinds = grown;
    }
    if (isObject) kinds[at]! |= 1 << (depth & 7);
    else kinds[at]! &= ~(1 << (depth & 7));
    depth++;
    state = isObject ? State.ObjectFirstKey : State.ListFirstValue;
  };

  const innermostIsObject = () => ((kinds[(depth - 1) >> 3]! >> ((depth - 1) & 7)) & 1) === 1;

  const close = () => {
    depth--;
    state = depth === 0 ? State.Done : State.AfterValue;
  };

  const startString = (isKey: boolean, next: Role) => {
    state = State.String;
    stringIsKey = isKey;
    role = next;
    captured = 0;
    overflow = false;
    keyLength = 0;
    keyMiss = false;
  };

  const startKey = () => startString(true, depth === 1 ? Role.Key : Role.Skipped);

  /** Keeps a byte of a wanted value as written, within its budget. */
  const keep = (b: number) => {
    if (role !== Role.WantedValue) return;
    if (captured < slot!.bytes.length) slot!.bytes[captured++] = b;
    else overflow = true;
  };

  /** Adds a decoded unit to the top-level key being read. */
  const keyUnit = (unit: number) => {
    if (role !== Role.Key) return;
    if (keyLength < keyUnits.length) keyUnits[keyLength++] = unit;
    else keyMiss = true;
  };

  const matchKey = (): Slot | null => {
    if (keyMiss) return null;
    for (const { units, slot: found } of wanted) {
      if (units.length !== keyLength) continue;
      let i = 0;
      while (i < keyLength && units[i] === keyUnits[i]) i++;
      if (i === keyLength) return found;
    }
    return null;
  };

  const endString = () => {
    if (stringIsKey) {
      if (role === Role.Key) current = matchKey();
      state = State.Colon;
      return;
    }
    if (role === Role.WantedValue) {
      slot!.kind = overflow ? 'too_long' : 'string';
      slot!.length = captured;
    }
    state = State.AfterValue;
  };

  const startValue = (b: number): boolean => {
    const target = depth === 1 ? current : null;
    if (b === QUOTE) {
      slot = target;
      startString(false, target === null ? Role.Skipped : Role.WantedValue);
      return true;
    }
    if (target !== null) target.kind = 'not_string';
    if (b === OPEN_OBJECT) push(true);
    else if (b === OPEN_LIST) push(false);
    else if (b === MINUS) state = State.Minus;
    else if (b === ZERO) state = State.Zero;
    else if (isDigit(b)) state = State.Integer;
    else if (b === 0x74 || b === 0x66 || b === 0x6e) {
      literal = b === 0x74 ? TRUE : b === 0x66 ? FALSE : NULL;
      literalAt = 1;
      state = State.Literal;
    } else if (b === COMMA || b === CLOSE_OBJECT || b === CLOSE_LIST || b === COLON) return fail(`a value is missing ${where()}`);
    else return fail(`a value ${where()} is not JSON (no value starts with ${describeByte(b)})`);
    return true;
  };

  /** One byte of a number; false when the number ended before it (the byte is then read as what follows a value). */
  const numberByte = (b: number): boolean => {
    switch (state) {
      case State.Minus:
        if (!isDigit(b)) return fail(`a number ${where()} is malformed`);
        state = b === ZERO ? State.Zero : State.Integer;
        return true;
      case State.Dot:
        if (!isDigit(b)) return fail(`a number ${where()} is malformed`);
        state = State.Fraction;
        return true;
      case State.Exponent:
        if (b === PLUS || b === MINUS) state = State.ExponentSign;
        else if (isDigit(b)) state = State.ExponentDigits;
        else return fail(`a number ${where()} is malformed`);
        return true;
      case State.ExponentSign:
        if (!isDigit(b)) return fail(`a number ${where()} is malformed`);
        state = State.ExponentDigits;
        return true;
      case State.Integer:
        if (isDigit(b)) return true;
      // falls through: after the integer part, as after a zero
      case State.Zero:
        if (b === DOT) state = State.Dot;
        else if (b === 0x65 || b === 0x45) state = State.Exponent;
        else return false;
        return true;
      case State.Fraction:
        if (isDigit(b)) return true;
        if (b === 0x65 || b === 0x45) state = State.Exponent;
        else return false;
        return true;
      default:
        // ExponentDigits
        return isDigit(b);
    }
  };

  const step = (b: number): boolean => {
    switch (state) {
      case State.String:
        if (b === QUOTE) endString();
        else if (b === BACKSLASH) {
          keep(b);
          state = State.Escape;
        } else if (b < 0x20) return fail('a string holds a raw control character (JSON wants it escaped)');
        else {
          keep(b);
          if (b < 0x80) keyUnit(b);
          else if (role === Role.Key) keyMiss = true;
        }
        return true;
      case State.Escape:
        if (b === 0x75) {
          hexLeft = 4;
          hexValue = 0;
          state = State.Unicode;
        } else if (SHORT_ESCAPE[b]! >= 0) {
          keyUnit(SHORT_ESCAPE[b]!);
          state = State.String;
        } else return fail(`a string holds an invalid escape (\\ then ${describeByte(b)})`);
        keep(b);
        return true;
      case State.Unicode:
        if (HEX[b]! < 0) return fail(`a string holds an invalid \\u escape (${describeByte(b)} is no hex digit)`);
        keep(b);
        hexValue = hexValue * 16 + HEX[b]!;
        if (--hexLeft === 0) {
          keyUnit(hexValue);
          state = State.String;
        }
        return true;
      case State.Literal:
        if (b !== literal[literalAt]) return fail(`a value ${where()} is misspelt (only true, false and null are bare words)`);
        if (++literalAt === literal.length) state = State.AfterValue;
        return true;
      case State.Minus:
      case State.Zero:
      case State.Integer:
      case State.Dot:
      case State.Fraction:
      case State.Exponent:
      case State.ExponentSign:
      case State.ExponentDigits:
        if (numberByte(b)) return true;
        if (problem !== null) return false;
        // The number ended before this byte, which is read as what follows a value.
        state = State.AfterValue;
      // falls through
      case State.AfterValue:
        if (isWhitespace(b)) return true;
        if (innermostIsObject()) {
          if (b === COMMA) {
            state = State.ObjectKey;
            if (depth === 1) current = null;
          } else if (b === CLOSE_OBJECT) close();
          else return fail(`a comma or closing brace is missing ${where()}`);
        } else if (b === COMMA) state = State.Value;
        else if (b === CLOSE_LIST) close();
        else return fail('a comma or closing bracket is missing in a nested list');
        return true;
      case State.Value:
        return isWhitespace(b) || startValue(b);
      case State.ListFirstValue:
        if (isWhitespace(b)) return true;
        if (b === CLOSE_LIST) {
          close();
          return true;
        }
        return startValue(b);
      case State.ObjectFirstKey:
      case State.ObjectKey:
        if (isWhitespace(b)) return true;
        if (b === QUOTE) startKey();
        else if (b === CLOSE_OBJECT && state === State.ObjectFirstKey) close();
        else return fail(`a key is missing ${where()}`);
        return true;
      case State.Colon:
        if (isWhitespace(b)) return true;
        if (b !== COLON) return fail('a colon is missing after a key');
        state = State.Value;
        return true;
      case State.Start:
        if (isWhitespace(b)) return true;
        if (b !== OPEN_OBJECT) return fail('it does not start with "{"');
        push(true);
        return true;
      case State.Done:
        return isWhitespace(b) || fail('text follows the JSON object');
    }
  };

  return {
    write(chunk) {
      if (problem !== null) return false;
      const n = chunk.length;
      for (let i = 0; i < n; i++) {
        // Fast paths through the bulk of a large answer (the skipped `result`): plain bytes of a
        // string nothing more is kept of (skipped, past its budget, a key too long to be wanted),
        // and digits, need no state change.
        if (state === State.String && (role === Role.Skipped || overflow || keyMiss)) {
          while (i < n && IS_PLAIN_STRING_BYTE[chunk[i]!] === 1) i++;
          if (i === n) break;
        } else if (state <= State.Done) {
          // Between tokens (every state up to Done allows whitespace): indentation of a pretty-printed answer.
          while (i < n && isWhitespace(chunk[i]!)) i++;
          if (i === n) break;
        } else if (state === State.Integer || state === State.Fraction || state === State.ExponentDigits) {
          while (i < n && isDigit(chunk[i]!)) i++;
          if (i === n) break;
        }
        if (!step(chunk[i]!)) return false;
      }
      return true;
    },
    end() {
      if (problem === null && state !== State.Done) fail('it ends before its closing brace');
      const values = new Map<string, ScannedValue>();
      for (const { key, slot: found } of wanted) {
        if (problem !== null) break;
        if (found.kind === 'absent') continue;
        if (found.kind !== 'string') {
          values.set(key, { kind: found.kind });
          continue;
        }
        const value = decodeString(found.bytes, found.length);
        // Checked as it was read: a failure here would be this scanner's fault, still no status.
        if (value === undefined) fail(`the value of "${key}" is not a valid JSON string`);
        // Cleaned before it leaves the scanner: no caller ever holds the uncleaned string.
        else values.set(key, { kind: 'string', value: options.clean(value) });
      }
      return { problem, values: problem === null ? values : new Map() };
    },
  };
}

/** A byte named for a message: printable ASCII as itself, anything else in hex. */
function describeByte(b: number): string {
  return b > 0x20 && b < 0x7f ? `"${String.fromCharCode(b)}"` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}

/** The last value of a wanted key, as written (between its quotes). */
interface Slot {
  readonly bytes: Uint8Array;
  length: number;
  kind: 'absent' | 'string' | 'too_long' | 'not_string';
}

// Not fatal: a malformed UTF-8 sequence becomes U+FFFD, as it does when a whole answer is decoded
// (Buffer#toString). ignoreBOM: a value starting with U+FEFF keeps it, as Buffer#toString does.
const DECODER = new TextDecoder('utf-8', { ignoreBOM: true });

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
