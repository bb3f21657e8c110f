import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SecretsManagerServiceError } from './errors';
import { closeServer, listenOnLoopback } from './http-listen';
import { SecretStore, type SecretStoreOptions, type SecretVersion, type StoredSecret } from './secret-store';
import { checkSigV4, type LocalCredentials } from './sigv4-check';

/** The operations the local Secrets Manager answers; others get `UnknownOperationException`. */
export const SecretsManagerOperation = {
  createSecret: 'CreateSecret',
  getSecretValue: 'GetSecretValue',
  putSecretValue: 'PutSecretValue',
  describeSecret: 'DescribeSecret',
} as const;

/** One call seen by the server. Holds ids only: secret values never reach the log. */
export interface SecretsAccessLogEntry {
  readonly operation: string;
  /** `SecretId` (or `Name` for CreateSecret) exactly as the caller sent it: a name or an ARN. */
  readonly secretId: string | undefined;
  /** The secret's name when the id resolved, so calls by ARN and by name count together. */
  readonly secretName: string | undefined;
  /** `ok`, or the AWS error code the caller got back. */
  readonly outcome: string;
  readonly at: Date;
}

/** Options of {@link startSecretsManagerServer}. */
export interface SecretsManagerServerOptions extends SecretStoreOptions {
  /** @default 0 (an ephemeral port on 127.0.0.1) */
  readonly port?: number;
  /**
   * When given, every request must carry an AWS Signature Version 4 made with these
   * credentials, checked as AWS checks it; anything else is refused before the store is
   * touched. `startLocalAws` always sets random ones, so a real Alation token (`npm start
   * --alation-url`) or the watch-state key is readable only by the run's own clients, not by
   * any process that can reach the port.
   * @default undefined (no check: for tests of the protocol alone)
   */
  readonly credentials?: LocalCredentials;
}

/** A running local Secrets Manager endpoint. */
export interface SecretsManagerServer {
  /** `http://127.0.0.1:<port>`: give it to an SDK client as `endpoint` or `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  readonly endpoint: string;
  /** The model behind the endpoint, for direct inspection in tests. */
  readonly store: SecretStore;
  /** Every call so far, oldest first. */
  accessLog(): readonly SecretsAccessLogEntry[];
  /**
   * How many calls match; `secretId` matches a name or an ARN of the same secret.
   * @example server.countCalls({ operation: 'GetSecretValue', secretId: 'alation/token' })
   */
  countCalls(filter?: { operation?: string; secretId?: string }): number;
  /** Forgets the access log, e.g. between tests sharing one server. */
  clearAccessLog(): void;
  stop(): Promise<void>;
}

type JsonObject = Record<string, unknown>;

const JSON_11 = 'application/x-amz-json-1.1';
// The SDK's JSON 1.1 protocol sends `X-Amz-Target: secretsmanager.<Operation>`.
const TARGET_PREFIX = 'secretsmanager.';

/** JSON 1.1 timestamps are epoch seconds (fractions allowed), not ISO strings. */
const epochSeconds = (date: Date): number => date.getTime() / 1000;

const optionalString = (body: JsonObject, key: string): string | undefined => {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new SecretsManagerServiceError('InvalidParameterException', `${key} must be a string.`);
  }
  return value;
};

const valueFields = (version: SecretVersion): JsonObject => ({
  ...(version.secretString === undefined ? {} : { SecretString: version.secretString }),
  ...(version.secretBinaryBase64 === undefined ? {} : { SecretBinary: version.secretBinaryBase64 }),
});

type OperationHandler = (store: SecretStore, body: JsonObject) => JsonObject;

const operations: Record<string, OperationHandler> = {
  [SecretsManagerOperation.createSecret]: (store, body) => {
    const description = optionalString(body, 'Description');
    const { secret, version } = store.create(optionalString(body, 'Name') ?? '', {
      versionId: optionalString(body, 'ClientRequestToken'),
      secretString: optionalString(body, 'SecretString'),
      secretBinaryBase64: optionalString(body, 'SecretBinary'),
      ...(description === undefined ? {} : { description }),
    });
    return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.versionId } : {}) };
  },
  [SecretsManagerOperation.getSecretValue]: (store, body) => {
    const { secret, version } = store.getValue(optionalString(body, 'SecretId'), {
      versionId: optionalString(body, 'VersionId'),
      versionStage: optionalString(body, 'VersionStage'),
    });
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      ...valueFields(version),
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.createdDate),
    };
  },
  [SecretsManagerOperation.putSecretValue]: (store, body) => {
    const stages = body['VersionStages'];
    const { secret, version } = store.putValue(optionalString(body, 'SecretId'), {
      versionId: optionalString(body, 'ClientRequestToken'),
      secretString: optionalString(body, 'SecretString'),
      secretBinaryBase64: optionalString(body, 'SecretBinary'),
      ...(Array.isArray(stages) ? { versionStages: stages.map(String) } : {}),
    });
    return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: [...version.stages] };
  },
  [SecretsManagerOperation.describeSecret]: (store, body) => {
    const secret: StoredSecret = store.find(optionalString(body, 'SecretId'));
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description === undefined ? {} : { Description: secret.description }),
      RotationEnabled: false,
      CreatedDate: epochSeconds(secret.createdDate),
      LastChangedDate: epochSeconds(secret.lastChangedDate),
      ...(secret.lastAccessedDate ? { LastAccessedDate: epochSeconds(secret.lastAccessedDate) } : {}),
      VersionIdsToStages: store.versionIdsToStages(secret),
    };
  },
};

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string): JsonObject {
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as JsonObject;
  } catch {
    // fall through to the AWS error below
  }
  throw new SecretsManagerServiceError('SerializationException', 'Request body is not a JSON object.');
}

function send(response: ServerResponse, statusCode: number, body: JsonObject, errorType?: string): void {
  const payload = JSON.stringify(body);
  response.statusCode = statusCode;
  response.setHeader('content-type', JSON_11);
  response.setHeader('content-length', Buffer.byteLength(payload));
  response.setHeader('x-amzn-requestid', randomUUID());
  // The SDK reads the error code from this header first, then from `__type`.
  if (errorType) response.setHeader('x-amzn-errortype', errorType);
  response.end(payload);
}

/**
 * Starts a minimal Secrets Manager on 127.0.0.1 speaking the real AWS JSON 1.1 protocol, so the
 * unmodified `@aws-sdk/client-secrets-manager` (and Powertools `getSecret` on top of it) can
 * talk to it. fauxqs and dynalite have no Secrets Manager, and the token provider must be
 * tested through the same SDK calls it makes in AWS.
 *
 * Supports `CreateSecret`, `GetSecretValue`, `PutSecretValue` (a new AWSCURRENT version, i.e.
 * a rotation) and `DescribeSecret`. The access log counts calls so tests can observe caching.
 *
 * @example
 * const server = await startSecretsManagerServer();
 * const client = new SecretsManagerClient({ endpoint: server.endpoint, region: 'us-east-1', credentials });
 */
export async function startSecretsManagerServer(options: SecretsManagerServerOptions = {}): Promise<SecretsManagerServer> {
  const store = new SecretStore(options);
  const now = options.now ?? (() => new Date());
  let log: SecretsAccessLogEntry[] = [];

  const server = createServer((request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    let secretId: string | undefined;
    let secretName: string | undefined;
    try {
      const raw = await readBody(request);
      if (options.credentials) {
        await checkSigV4({ method: request.method ?? '', url: request.url ?? '/', headers: request.headers, body: raw }, options.credentials, now());
      }
      const body = parseBody(raw);
      const rawId = body['SecretId'] ?? body['Name'];
      secretId = typeof rawId === 'string' ? rawId : undefined;
      const handler = request.method === 'POST' ? operations[operation] : undefined;
      if (!handler) {
        throw new SecretsManagerServiceError('UnknownOperationException', `Operation ${operation || '(none)'} is not supported locally.`);
      }
      const result = handler(store, body);
      secretName = typeof result['Name'] === 'string' ? result['Name'] : undefined;
      log.push({ operation, secretId, secretName, outcome: 'ok', at: now() });
      send(response, 200, result);
    } catch (error) {
      const serviceError =
        error instanceof SecretsManagerServiceError
          ? error
          : new SecretsManagerServiceError('InternalServiceError', error instanceof Error ? error.message : String(error), 500);
      log.push({ operation, secretId, secretName, outcome: serviceError.code, at: now() });
      // AWS sends `Message` capitalised in this service's error bodies.
      send(response, serviceError.statusCode, { __type: serviceError.code, Message: serviceError.message }, serviceError.code);
    }
  }

  const nameOf = (secretId: string): string | undefined => {
    try {
      return store.find(secretId).name;
    } catch {
      return undefined;
    }
  };

  const endpoint = await listenOnLoopback(server, options.port);

  return {
    endpoint,
    store,
    accessLog: () => [...log],
    countCalls: (filter = {}) => {
      const wantedName = filter.secretId === undefined ? undefined : nameOf(filter.secretId);
      return log.filter(
        (entry) =>
          (filter.operation === undefined || entry.operation === filter.operation) &&
          (filter.secretId === undefined ||
            entry.secretId === filter.secretId ||
            (wantedName !== undefined && entry.secretName === wantedName)),
      ).length;
    },
    clearAccessLog: () => {
      log = [];
    },
    stop: () => closeServer(server),
  };
}
