/**
 * A record of the AWS API calls a piece of code makes: service, operation and the parameters
 * that name a resource (never message bodies or secret values). Filled from three places that
 * all end in the same {@link AwsCall}:
 * - {@link recordAwsCalls}: an SDK v3 middleware on a real client (the handler's clients in the
 *   chaos harness, the operator commands' clients);
 * - {@link recordingSend}: a wrapper around a test's fake `send` (a CloudFormation stand-in);
 * - {@link awsCallFromWire}: an HTTP request as it left a process (the bundle run on Node 24,
 *   whose clients are built inside the bundle where no test can reach them).
 * The least-privilege tests (`test/iam/`) evaluate these calls against IAM policies.
 */

/** Services whose calls are understood; anything else is recorded as `unknown` and fails the IAM check. */
export const AwsService = {
  sqs: 'sqs',
  sns: 'sns',
  dynamodb: 'dynamodb',
  secretsManager: 'secretsmanager',
  cloudFormation: 'cloudformation',
  lambda: 'lambda',
  cloudWatch: 'cloudwatch',
  unknown: 'unknown',
} as const;
export type AwsService = (typeof AwsService)[keyof typeof AwsService];

/** One AWS API call as its caller made it. */
export interface AwsCall {
  /** The IAM service prefix (`sqs`, `dynamodb`, …). */
  readonly service: AwsService;
  /** The API operation, e.g. `SendMessageBatch` (not yet the IAM action it is authorised as). */
  readonly operation: string;
  /** Only the parameters that name resources (see {@link RESOURCE_PARAMETERS}). */
  readonly params: Readonly<Record<string, unknown>>;
}

/** Where calls go. A plain array works; so does a function that writes them elsewhere. */
export type AwsCallSink = { push(call: AwsCall): unknown };

/**
 * The parameters that identify what a call acts on, across the services used here. Everything
 * else (bodies, attributes, secret values) is dropped at the source, so a record never holds
 * the token.
 */
export const RESOURCE_PARAMETERS = [
  'QueueUrl',
  'QueueName',
  'SourceArn',
  'DestinationArn',
  'TopicArn',
  'TargetArn',
  'SubscriptionArn',
  'TableName',
  'RequestItems',
  'TransactItems',
  'SecretId',
  'Name',
  'StackName',
  'FunctionName',
  // The item a DynamoDB call names, by its key values only: IAM checks them against
  // dynamodb:LeadingKeys (fine-grained access), e.g. the operator's replay ledger items.
  'Key',
] as const;

function pickResourceParams(input: Record<string, unknown>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const key of RESOURCE_PARAMETERS) {
    const value = input[key];
    if (value === undefined) continue;
    // Batch operations name their tables as the keys of RequestItems; the items stay behind.
    params[key] = key === 'RequestItems' && value && typeof value === 'object' ? Object.keys(value) : value;
    if (key === 'TransactItems' && Array.isArray(value)) {
      params[key] = value.map((item) => Object.values(item as Record<string, { TableName?: string }>)[0]?.TableName);
    }
  }
  return params;
}

const SERVICE_OF_CLIENT: Readonly<Record<string, AwsService>> = {
  SQSClient: AwsService.sqs,
  SNSClient: AwsService.sns,
  DynamoDBClient: AwsService.dynamodb,
  SecretsManagerClient: AwsService.secretsManager,
  CloudFormationClient: AwsService.cloudFormation,
  LambdaClient: AwsService.lambda,
  CloudWatchClient: AwsService.cloudWatch,
};

interface MiddlewareStackLike {
  add(middleware: unknown, options: { step: string; name: string; priority?: string }): void;
}

/**
 * Adds a middleware that records every command `client` sends, before anything else runs
 * (retries are the SDK's, so one command is one record, as IAM authorises it once per attempt
 * with the same answer). Returns the client for chaining.
 */
export function recordAwsCalls<C extends { middlewareStack: unknown }>(client: C, sink: AwsCallSink): C {
  (client.middlewareStack as MiddlewareStackLike).add(
    (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        sink.push({
          service: SERVICE_OF_CLIENT[context.clientName ?? ''] ?? AwsService.unknown,
          operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
          params: pickResourceParams(args.input ?? {}),
        });
        return next(args);
      },
    { step: 'initialize', name: 'recordAwsCalls', priority: 'high' },
  );
  return client;
}

/** Wraps a fake client's `send` (a test double with no middleware stack) so its commands are recorded too. */
export function recordingSend<C extends { send: (...args: never[]) => unknown }>(fake: C, service: AwsService, sink: AwsCallSink): C {
  const send = fake.send.bind(fake) as (command: { input?: Record<string, unknown> }, ...rest: unknown[]) => unknown;
  return {
    ...fake,
    send: (command: { input?: Record<string, unknown>; constructor: { name: string } }, ...rest: unknown[]) => {
      sink.push({ service, operation: command.constructor.name.replace(/Command$/, ''), params: pickResourceParams(command.input ?? {}) });
      return send(command, ...rest);
    },
  } as unknown as C;
}

/** An HTTP request as it left a process: enough to tell which AWS call it was. */
export interface WireRequest {
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  readonly body: string;
}

/** The `X-Amz-Target` prefix of each JSON-protocol service (the SDK sends `<prefix>.<Operation>`). */
const SERVICE_OF_TARGET: Readonly<Record<string, AwsService>> = {
  AmazonSQS: AwsService.sqs,
  DynamoDB_20120810: AwsService.dynamodb,
  secretsmanager: AwsService.secretsManager,
};

/** The `Version` of each query-protocol service (form bodies: `Action=Publish&Version=…`). */
const SERVICE_OF_QUERY_VERSION: Readonly<Record<string, AwsService>> = {
  '2010-03-31': AwsService.sns,
  '2010-05-15': AwsService.cloudFormation,
};

/**
 * Reads one AWS call off the wire: JSON protocols by their `X-Amz-Target` header, query
 * protocols by the `Action` and `Version` of their form body. A request that is neither is
 * returned as service `unknown`, so it fails the IAM check with its target in the message
 * rather than disappearing.
 */
export function awsCallFromWire(request: WireRequest): AwsCall {
  const header = (name: string) => {
    const value = Object.entries(request.headers).find(([key]) => key.toLowerCase() === name)?.[1];
    return Array.isArray(value) ? value[0] : value === undefined ? undefined : String(value);
  };
  const target = header('x-amz-target');
  if (target) {
    const dot = target.lastIndexOf('.');
    const service = SERVICE_OF_TARGET[target.slice(0, dot)];
    let input: Record<string, unknown> = {};
    try {
      input = JSON.parse(request.body || '{}') as Record<string, unknown>;
    } catch {
      // A body that is not JSON names no resource; the call is still recorded.
    }
    return { service: service ?? AwsService.unknown, operation: service ? target.slice(dot + 1) : target, params: pickResourceParams(input) };
  }
  const form = new URLSearchParams(request.body);
  const action = form.get('Action');
  const service = SERVICE_OF_QUERY_VERSION[form.get('Version') ?? ''];
  if (action && service) return { service, operation: action, params: pickResourceParams(Object.fromEntries(form)) };
  // The body is left out of the name: it could hold anything.
  return { service: AwsService.unknown, operation: `unrecognised request (${header('content-type') ?? 'no content type'})`, params: {} };
}

/**
 * The calls of one run, with the function environments they were made under (each run of the
 * local stack has its own queue URLs and table names; the environment says which is which).
 */
export class AwsCallLog {
  readonly calls: AwsCall[] = [];
  readonly environments: Readonly<Record<string, string>>[] = [];

  push(call: AwsCall): void {
    this.calls.push(call);
  }

  /** Remembers the environment a handler was built with, once. */
  addEnvironment(env: Readonly<Record<string, string>>): void {
    if (!this.environments.some((e) => JSON.stringify(e) === JSON.stringify(env))) this.environments.push(env);
  }
}
