import { AlationError, AlationErrorClass } from '../errors';

/**
 * Reads an Alation answer as text, refusing one larger than `maxBytes` while it streams in:
 * a declared `content-length` is checked first, and chunked answers (which declare none) are
 * counted as they arrive, so an oversized answer never sits whole in memory.
 * @throws AlationError (`bad_response`, retryable) naming `what` and the limit
 */
export async function readBoundedText(response: Response, maxBytes: number, what: string): Promise<string> {
  const tooLarge = () =>
    new AlationError(AlationErrorClass.badResponse, `${what}: the answer is larger than ${maxBytes} bytes`, { httpStatus: response.status });
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
