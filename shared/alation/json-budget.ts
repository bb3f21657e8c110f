/**
 * Whether a JSON text holds more than `limit` values (lists, objects and their items), counted
 * without decoding it: one pass over the characters, at most `text.length` steps, nothing
 * allocated. JSON.parse costs memory per value, not per byte: 4 MiB of `[{},{},…]` decodes
 * into 1.4 million objects, about 170 MB, where 4 MiB of error strings takes 60. Checking
 * first lets the caller refuse such a text before it is decoded.
 *
 * The count is an upper bound of the values (every `[`, `{` and `,` outside strings), so a
 * valid text under the limit always decodes within it; an invalid one just fails to decode.
 */
export function exceedsJsonValues(text: string, limit: number): boolean {
  let count = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if ((c === COMMA || c === OPEN_LIST || c === OPEN_OBJECT) && ++count > limit) return true;
  }
  return false;
}

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN_LIST = 0x5b;
const OPEN_OBJECT = 0x7b;
