import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { SecretsManagerServiceError } from './errors';

/** The credentials a local endpoint accepts: whoever signs with them is let in. */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** What the check needs of an incoming request. */
export interface SignedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** AWS refuses a request signed more than 15 minutes away from its own clock. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
// `AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/secretsmanager/aws4_request, SignedHeaders=a;b, Signature=hex`
const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request, ?SignedHeaders=([a-z0-9;_.-]+), ?Signature=([0-9a-f]{64})$/;

/** node:crypto in the shape the signer wants (`Checksum`: update, then digest). */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | Uint8Array | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
  reset(): void {
    throw new Error('not supported');
  }
}

function toBuffer(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

const denied = (code: string, message: string, statusCode: number) => new SecretsManagerServiceError(code, message, statusCode);

/**
 * Checks an AWS Signature Version 4 the way AWS does: the access key must be the expected one,
 * the signing time within 15 minutes, and the signature must be the one the expected secret
 * key gives for exactly the signed headers, path, query and body. The request is signed again
 * with `@smithy/signature-v4` (the SDK's own signer), so nothing of SigV4 is rewritten here.
 *
 * @throws SecretsManagerServiceError with AWS's codes: `MissingAuthenticationTokenException`,
 * `UnrecognizedClientException`, `InvalidSignatureException`.
 */
export async function checkSigV4(request: SignedRequest, credentials: LocalCredentials, now: Date = new Date()): Promise<void> {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  const authorization = header('authorization');
  if (!authorization) throw denied('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
  const match = AUTHORIZATION.exec(authorization);
  if (!match) throw denied('IncompleteSignatureException', 'The Authorization header is not a valid AWS Signature Version 4.', 400);
  const [, accessKeyId, , region, service, signedHeaders, signature] = match as unknown as string[];
  if (accessKeyId !== credentials.accessKeyId) {
    throw denied('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
  }
  const amzDate = header('x-amz-date') ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined || Math.abs(now.getTime() - signedAt.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw denied('InvalidSignatureException', 'Signature expired or not yet valid: the signing time is more than 15 minutes away.', 400);
  }

  const names = signedHeaders!.split(';');
  if (!names.includes('host')) throw denied('InvalidSignatureException', 'The host header must be signed.', 400);
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = header(name);
    if (value === undefined) throw denied('InvalidSignatureException', `Signed header ${name} is missing.`, 400);
    headers[name] = value;
  }
  const url = new URL(request.url, `http://${header('host') ?? 'localhost'}`);
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const previous = query[key];
    query[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  const signer = new SignatureV4({ credentials, region: region!, service: service!, sha256: NodeSha256, uriEscapePath: true });
  const resigned = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: url.hostname, path: url.pathname, query, headers, body: request.body },
    { signingDate: signedAt, signingRegion: region, signingService: service },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers['authorization'] ?? ''))?.[1] ?? '';
  const same = expected.length === signature!.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature!));
  if (!same) {
    throw denied('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.', 400);
  }
}

/** `20261129T213000Z` → the date, or undefined. */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}
