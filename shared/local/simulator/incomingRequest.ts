/** A request as the pure handlers see it: already read, no socket attached. */
export interface IncomingRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** First value of a header; Node gives arrays for repeated headers. */
export function headerValue(request: IncomingRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
