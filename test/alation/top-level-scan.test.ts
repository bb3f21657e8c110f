import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KnownSecrets, REDACTED } from '../../shared/alation/redact';
import { createTopLevelScanner, type TopLevelScan } from '../../shared/alation/top-level-scan';

const KEYS = { status: 64, msg: 256 };

/** Scans `text` fed in pieces cut at `cuts` (byte offsets), with the given cleaning. */
function scan(text: string | Uint8Array, options: { cuts?: number[]; clean?: (t: string) => string; keys?: Record<string, number> } = {}): TopLevelScan {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const scanner = createTopLevelScanner({ keys: options.keys ?? KEYS, clean: options.clean ?? ((t) => t) });
  let from = 0;
  for (const cut of [...(options.cuts ?? [])].sort((a, b) => a - b)) {
    scanner.write(bytes.subarray(from, Math.max(from, cut)));
    from = Math.max(from, cut);
  }
  scanner.write(bytes.subarray(from));
  return scanner.end();
}

const valueOf = (result: TopLevelScan, key: string) => result.values.get(key);

describe('createTopLevelScanner', () => {
  it('reads the top-level status and msg of an object', () => {
    const result = scan('{"status": "successful", "msg": "Job finished in 2.0 seconds", "result": {"a": [1, 2]}}');
    expect(result.problem).toBeNull();
    expect(valueOf(result, 'status')).toEqual({ kind: 'string', value: 'successful' });
    expect(valueOf(result, 'msg')).toEqual({ kind: 'string', value: 'Job finished in 2.0 seconds' });
  });

  it('finds the status after a large result, whatever the key order', () => {
    const result = scan(JSON.stringify({ result: 'x'.repeat(100_000), msg: 'done', status: 'failed' }));
    expect(valueOf(result, 'status')).toEqual({ kind: 'string', value: 'failed' });
  });

  it('does not take a nested "status" inside result that comes before the top-level one', () => {
    const text = '{"result": {"status": "successful", "items": [{"status": "successful"}], "s": "\\"status\\": \\"successful\\""}, "status": "failed"}';
    expect(valueOf(scan(text), 'status')).toEqual({ kind: 'string', value: 'failed' });
  });

  it('matches a key spelt with escapes, as JSON.parse does', () => {
    expect(valueOf(scan('{"st\\u0061tus": "running", "\\u006dsg": "hi"}'), 'status')).toEqual({ kind: 'string', value: 'running' });
    expect(valueOf(scan('{"st\\u0061tus": "running", "\\u006dsg": "hi"}'), 'msg')).toEqual({ kind: 'string', value: 'hi' });
  });

  it('keeps the last of duplicate keys, as JSON.parse does', () => {
    expect(valueOf(scan('{"status": "running", "result": [], "status": "failed"}'), 'status')).toEqual({ kind: 'string', value: 'failed' });
  });

  it('steps over escaped quotes and backslashes inside strings', () => {
    const text = JSON.stringify({ result: 'a "quoted" \\ "status": "x" }', msg: 'say "done"\\', status: 'successful' });
    const result = scan(text);
    expect(result.problem).toBeNull();
    expect(valueOf(result, 'msg')).toEqual({ kind: 'string', value: 'say "done"\\' });
    expect(valueOf(result, 'status')).toEqual({ kind: 'string', value: 'successful' });
  });

  it('decodes lone surrogates as JSON.parse does, for the cleaning to replace', () => {
    const text = '{"status": "succ\\ud800essful", "msg": "m\\udfff"}';
    expect(valueOf(scan(text), 'status')).toEqual({ kind: 'string', value: (JSON.parse(text) as { status: string }).status });
    const secrets = new KnownSecrets();
    expect(valueOf(scan(text, { clean: (t) => secrets.clean(t) }), 'msg')).toEqual({ kind: 'string', value: 'm\uFFFD' });
  });

  it('cleans every string it returns, a credential spelt with \\u escapes included', () => {
    const token = 'QWZXKJVBMQWZXKJVBMQWZXKJ';
    const secrets = new KnownSecrets();
    secrets.add(token);
    const spelt = token.replace('K', '\\u004b');
    const result = scan(`{"msg": "token ${spelt} refused", "status": "fail${token}"}`, { clean: (t) => secrets.clean(t) });
    expect(valueOf(result, 'msg')).toEqual({ kind: 'string', value: `token ${REDACTED} refused` });
    expect(valueOf(result, 'status')).toEqual({ kind: 'string', value: `fail${REDACTED}` });
  });

  it('keeps no part of a value longer than its budget', () => {
    const result = scan(JSON.stringify({ status: 'successful', msg: 'm'.repeat(257) }));
    expect(valueOf(result, 'msg')).toEqual({ kind: 'too_long' });
    expect(valueOf(scan(JSON.stringify({ status: 's'.repeat(65) })), 'status')).toEqual({ kind: 'too_long' });
  });

  it('says a value is not a string when it is a number, literal, object or list', () => {
    for (const value of [1, true, null, { a: 1 }, ['x']]) {
      expect(valueOf(scan(JSON.stringify({ status: value })), 'status')).toEqual({ kind: 'not_string' });
    }
  });

  it('reads across chunks cut inside strings, escapes and UTF-8 sequences', () => {
    const text = '{"r": ["\\"}"], "st\\u0061tus": "succ\\u00e9ssful é", "msg": "ü\\\\"}';
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const result = scan(bytes, { cuts: [cut, cut + 1] });
      expect(result.problem).toBeNull();
      expect(valueOf(result, 'status')).toEqual({ kind: 'string', value: 'succéssful é' });
      expect(valueOf(result, 'msg')).toEqual({ kind: 'string', value: 'ü\\' });
    }
  });

  it.each([
    ['not an object', '["status", "successful"]', 'it does not start with "{"'],
    ['a byte-order mark first', '\uFEFF{"status": "x"}', 'it does not start with "{"'],
    ['cut short inside a string', '{"status": "successful", "result": "abc', 'it ends before its closing brace'],
    ['cut short inside a nested value', '{"status": "successful", "result": [[1, 2]', 'it ends before its closing brace'],
    ['text after the object', '{"status": "successful"} x', 'text follows the JSON object'],
    ['a missing colon', '{"status" "successful"}', 'a colon is missing after a key'],
    ['a missing comma', '{"status": "successful" "msg": "x"}', 'a comma or closing brace is missing in the top-level object'],
    ['a trailing comma', '{"status": "successful",}', 'a key is missing in the top-level object'],
    ['an empty value', '{"status": , "msg": "x"}', 'a value is missing in the top-level object'],
    ['an invalid escape in the status', '{"status": "a\\x"}', 'a string holds an invalid escape (\\ then "x")'],
    ['a raw control character in the status', '{"status": "a\u0001"}', 'a string holds a raw control character (JSON wants it escaped)'],
    ['a list closed by a brace', '{"result": [1}, "status": "x"}', 'a comma or closing bracket is missing in a nested list'],
    ['an object closed by a bracket', '{"result": {"a": 1], "status": "x"}', 'a comma or closing brace is missing in a nested value'],
    ['an invalid escape in a skipped string', '{"result": "\\q", "status": "x"}', 'a string holds an invalid escape (\\ then "q")'],
    ['a short \\u escape', '{"result": ["\\u12"], "status": "x"}', 'a string holds an invalid \\u escape ("\"" is no hex digit)'],
    ['a raw tab in a nested string', '{"result": {"a": "x\ty"}, "status": "x"}', 'a string holds a raw control character (JSON wants it escaped)'],
    ['a bare word', '{"result": yes, "status": "x"}', 'a value in the top-level object is not JSON (no value starts with "y")'],
    ['a bare word starting as a literal', '{"result": nope, "status": "x"}', 'a value in the top-level object is misspelt (only true, false and null are bare words)'],
    ['a misspelt literal', '{"result": [tru], "status": "x"}', 'a value in a nested value is misspelt (only true, false and null are bare words)'],
    ['a leading zero', '{"result": 01, "status": "x"}', 'a comma or closing brace is missing in the top-level object'],
    ['a bare minus', '{"result": [-], "status": "x"}', 'a number in a nested value is malformed'],
    ['a fraction without digits', '{"result": 1., "status": "x"}', 'a number in the top-level object is malformed'],
    ['an exponent without digits', '{"result": [1e+], "status": "x"}', 'a number in a nested value is malformed'],
    ['a nested key without a colon', '{"result": {"a" 1}, "status": "x"}', 'a colon is missing after a key'],
    ['a nested trailing comma', '{"result": [1,], "status": "x"}', 'a value is missing in a nested value'],
    ['a nested object with a non-string key', '{"result": {1: 2}, "status": "x"}', 'a key is missing in a nested value'],
    ['a byte that is no JSON', '{"result": \u00e9, "status": "x"}', 'a value in the top-level object is not JSON (no value starts with byte 0xc3)'],
  ])('names what is wrong with a text that is not one JSON object: %s', (_name, text, problem) => {
    expect(scan(text).problem).toBe(problem);
  });

  it('refuses to be asked for a key that is not printable ASCII, which it could not match', () => {
    expect(() => createTopLevelScanner({ keys: { 'état': 8 }, clean: (t) => t })).toThrow(RangeError);
  });

  it('asks for no more bytes once it found a problem', () => {
    const scanner = createTopLevelScanner({ keys: KEYS, clean: (t) => t });
    expect(scanner.write(Buffer.from('x'))).toBe(false);
    expect(scanner.write(Buffer.from('{"status": "s"}'))).toBe(false);
  });

  it('agrees with JSON.parse on the status and msg of any JSON object, however chunked (property)', () => {
    const member = fc.oneof(
      fc.tuple(fc.constantFrom('status', 'msg', 'st\\u0061tus'), fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.jsonValue({ maxDepth: 2 }))),
      fc.tuple(fc.string({ unit: 'binary', maxLength: 10 }), fc.jsonValue({ maxDepth: 3 })),
    );
    fc.assert(
      fc.property(
        fc.array(member, { maxLength: 8 }),
        fc.constantFrom('', ' ', '\n\t '),
        fc.array(fc.nat(), { maxLength: 6 }),
        (members, space, cuts) => {
          // Written by hand so that keys may repeat (JSON.parse keeps the last) and be spelt with escapes.
          const text = `${space}{${members.map(([k, v]) => `${space}${k.includes('\\') ? `"${k}"` : JSON.stringify(k)}${space}:${space}${JSON.stringify(v, null, space.length > 1 ? space : undefined) ?? 'null'}`).join(`,${space}`)}}${space}`;
          const bytes = Buffer.from(text, 'utf8');
          const expected = JSON.parse(text) as Record<string, unknown>;
          const result = scan(bytes, { cuts: cuts.map((c) => c % (bytes.length + 1)) });
          expect(result.problem).toBeNull();
          for (const key of ['status', 'msg'] as const) {
            const found = valueOf(result, key);
            const value = Object.prototype.hasOwnProperty.call(expected, key) ? expected[key] : undefined;
            if (value === undefined) expect(found).toBeUndefined();
            else if (typeof value !== 'string') expect(found).toEqual({ kind: 'not_string' });
            else if (Buffer.byteLength(JSON.stringify(value).slice(1, -1)) > KEYS[key]) expect(found?.kind).toBe('too_long');
            else expect(found).toEqual({ kind: 'string', value });
          }
        },
      ),
      { numRuns: 500 },
    );
  });
  it('accepts a text exactly when JSON.parse reads it as an object, and then agrees on status and msg, however chunked (property)', () => {
    // Valid texts (objects and other values, with wanted keys spelt plainly or with escapes) and
    // strings of JSON fragments, then broken at the byte level by more fragments: brackets of either kind, stray quotes,
    // escapes good and bad, half literals, malformed numbers, control characters, a BOM,
    // bytes that are not UTF-8. JSON.parse reads the bytes as the small-answer path does (Buffer#toString).
    const wide = { status: 1 << 16, msg: 1 << 16 };
    const member = fc.tuple(
      fc.constantFrom('status', 'msg', 'st\\u0061tus', '\\u006dsg', 'result', 'x'),
      fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.jsonValue({ maxDepth: 3 })),
    );
    const PIECES = ['{', '}', '[', ']', ',', ':', '"', '\\', '\\q', '\\u12', '\\u00e9', '\\ud800', '\\/', 'tru', 'true', 'nul', 'fals', '-', '0', '01', '1.', '.5', '1e', '1e+', '-0.0e-0', '+1', '\u0001', '\u001f', '\u007f', '\t', '\n', ' ', '\uFEFF', 'x', 'é', '"status"', '"msg"', ':"s"', 'NaN', '\u2028'];
    const FRAGMENTS = PIECES.map((f) => Buffer.from(f, 'utf8'));
    const base = fc.oneof(
      { weight: 4, arbitrary: fc.array(member, { maxLength: 6 }).map((members) => `{${members.map(([k, v]) => `${k.includes('\\') ? `"${k}"` : JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v, null, 1) ?? 'null') },
      // Fragments strung together: mostly broken, now and then an object.
      { weight: 2, arbitrary: fc.array(fc.constantFrom(...PIECES, '{', '}', '"status"', '"msg"', ':', '"done"', ',', '0', '[]', '{}'), { maxLength: 14 }).map((pieces) => pieces.join('')) },
    );
    const RAW = [[0xff], [0xc3], [0xef, 0xbb, 0xbf], [0xed, 0xa0, 0x80], [0x00]].map((b) => Buffer.from(b));
    const mutation = fc.tuple(fc.constantFrom('insert', 'delete', 'replace'), fc.nat(), fc.constantFrom(...FRAGMENTS, ...RAW));
    fc.assert(
      fc.property(base, fc.array(mutation, { maxLength: 3 }), fc.array(fc.nat(), { maxLength: 6 }), (text, mutations, cuts) => {
        let bytes = Buffer.from(text, 'utf8');
        for (const [op, at, fragment] of mutations) {
          const i = at % (bytes.length + 1);
          const rest = bytes.subarray(op === 'insert' ? i : i + 1);
          bytes = Buffer.concat([bytes.subarray(0, i), op === 'delete' ? Buffer.alloc(0) : fragment, rest]);
        }
        let expected: unknown;
        let parsed = true;
        try {
          expected = JSON.parse(bytes.toString('utf8'));
        } catch {
          parsed = false;
        }
        const isObject = parsed && typeof expected === 'object' && expected !== null && !Array.isArray(expected);
        const scanner = createTopLevelScanner({ keys: wide, clean: (t) => t });
        let from = 0;
        for (const cut of cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b)) {
          scanner.write(bytes.subarray(from, Math.max(from, cut)));
          from = Math.max(from, cut);
        }
        scanner.write(bytes.subarray(from));
        const result = scanner.end();
        expect(result.problem === null, `${JSON.stringify(bytes.toString('latin1'))}: ${result.problem}`).toBe(isObject);
        if (!isObject) return;
        const object = expected as Record<string, unknown>;
        for (const key of ['status', 'msg'] as const) {
          const value = Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
          const found = valueOf(result, key);
          if (value === undefined) expect(found).toBeUndefined();
          else if (typeof value !== 'string') expect(found).toEqual({ kind: 'not_string' });
          else expect(found).toEqual({ kind: 'string', value });
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps a byte-order mark at the start of a value, as the decoded answer does', () => {
    const text = '{"status": "\uFEFFdone"}';
    expect(valueOf(scan(text), 'status')).toEqual({ kind: 'string', value: '\uFEFFdone' });
  });

  it('matches brackets by kind at any depth, one bit a level', () => {
    // 200,000 levels of objects and lists mixed at random, as JSON.parse reads them (V8 sets no depth limit).
    const levels = 200_000;
    const kinds = Array.from({ length: levels }, (_, i) => ((i * 2654435761) >>> 7) % 2 === 0);
    const open = kinds.map((isObject) => (isObject ? '{"k":' : '[')).join('');
    const closes = kinds.map((isObject) => (isObject ? '}' : ']')).reverse();
    const text = (closing: string[]) => `{"result": ${open}0${closing.join('')}, "status": "deep"}`;
    expect(() => JSON.parse(text(closes))).not.toThrow();
    expect(scan(text(closes)).problem).toBeNull();
    expect(valueOf(scan(text(closes), { cuts: [1000, 500_000, 700_001] }), 'status')).toEqual({ kind: 'string', value: 'deep' });
    for (const at of [0, 1, 7, 8, 9, levels - 1]) {
      const wrong = [...closes];
      wrong[at] = wrong[at] === '}' ? ']' : '}';
      expect(() => JSON.parse(text(wrong))).toThrow(SyntaxError);
      expect(scan(text(wrong)).problem).not.toBeNull();
    }
  });
  it('cleans status and msg as the decoded answer is cleaned, JSON text inside them included (property)', () => {
    const token = 'tok-scan-clean-5b1e7a90';
    const escape = (text: string, mask: number) => [...text].map((c, i) => ((mask >> i % 16) & 1 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');
    // A string value that may be JSON text (an object, list or string literal) spelling the token, whole or in part, escaped or not.
    const piece = fc.tuple(fc.constantFrom(token, token.slice(0, 10), 'plain'), fc.nat(0xffff)).map(([t, mask]) => escape(t, mask));
    const inner = fc.tuple(fc.constantFrom('{"d": "%"}', '["%", 1]', '"%"', ' {"%": 0} ', '%', '{"d": "%"'), piece).map(([shape, p]) => shape.replace('%', p));
    fc.assert(
      fc.property(inner, inner, (msg, status) => {
        const secrets = new KnownSecrets();
        secrets.add(token);
        const text = JSON.stringify({ status, msg, result: 'x' });
        const decoded = { value: JSON.parse(text) as Record<string, unknown> };
        secrets.cleanJson(decoded);
        const result = scan(text, { clean: (t) => secrets.cleanString(t), keys: { status: 4096, msg: 4096 } });
        expect(valueOf(result, 'msg')).toEqual({ kind: 'string', value: decoded.value.msg });
        expect(valueOf(result, 'status')).toEqual({ kind: 'string', value: decoded.value.status });
      }),
      { numRuns: 300 },
    );
  });
});
