/** us-east-1 list prices, from shared/reference/aws-notes.md. */
export const LIST_PRICES = {
  sqsPerRequest: 0.4 / 1e6,
  snsPublishPerRequest: 0.5 / 1e6,
  lambdaPerRequest: 0.2 / 1e6,
  /** The stack deploys on arm64 (infra/alation-job-watch.ts). */
  lambdaPerGbSecondArm64: 0.0000133334,
  secretsManagerPerCall: 0.05 / 10_000,
  dynamoDbPerWrite: 0.625 / 1e6,
  stepFunctionsPerTransition: 0.025 / 1000,
} as const;

/** What the watcher does for a workload, counted or derived from counts. */
export interface WatchCounts {
  readonly jobs: number;
  /** Status checks (polls), the first one included. */
  readonly checks: number;
  /** Records per Lambda invocation (SQS batch fill): 10 on a busy queue, 1 when jobs trickle in. */
  readonly recordsPerInvocation: number;
  /** Billed duration of one invocation, ms (Lambda rounds each up to 1 ms). */
  readonly billedMsPerInvocation: number;
  readonly memoryMb: number;
  /** DynamoDB writes per published outcome (the idempotency record). */
  readonly dynamoWritesPerOutcome: number;
  /** GetSecretValue calls for the whole workload (the token is cached per environment). */
  readonly secretCalls: number;
  /**
   * Re-sends per SQS request: 1 with one `SendMessage` each, up to 10 with `SendMessageBatch`
   * (measured in the handler run). @default 1
   */
  readonly resendsPerRequest?: number;
}

export interface CostBreakdown {
  readonly sqs: number;
  readonly sns: number;
  readonly lambda: number;
  readonly dynamoDb: number;
  readonly secretsManager: number;
  readonly total: number;
  readonly requests: { readonly sqs: number; readonly sns: number; readonly lambdaInvocations: number; readonly lambdaGbSeconds: number; readonly dynamoDbWrites: number; readonly secretsManager: number };
}

/**
 * Cost of a workload in dollars, scaled to 1,000 jobs. SQS requests: one SendMessage per job
 * (the producer), the re-sends of the checks that found the job running (`resendsPerRequest` to
 * a request), and per invocation one
 * ReceiveMessage and one DeleteMessageBatch (the event source mapping's, billed to the account).
 * The mapping's empty long polls are a fixed cost per month, not per job, and left out.
 */
export function costPer1000Jobs(c: WatchCounts): CostBreakdown {
  const scale = 1000 / c.jobs;
  const invocations = c.checks / c.recordsPerInvocation;
  const sqsRequests = c.jobs + (c.checks - c.jobs) / (c.resendsPerRequest ?? 1) + 2 * invocations;
  const gbSeconds = invocations * (c.billedMsPerInvocation / 1000) * (c.memoryMb / 1024);
  const dynamoWrites = c.jobs * c.dynamoWritesPerOutcome;
  const sqs = sqsRequests * LIST_PRICES.sqsPerRequest;
  const sns = c.jobs * LIST_PRICES.snsPublishPerRequest;
  const lambda = invocations * LIST_PRICES.lambdaPerRequest + gbSeconds * LIST_PRICES.lambdaPerGbSecondArm64;
  const dynamoDb = dynamoWrites * LIST_PRICES.dynamoDbPerWrite;
  const secretsManager = c.secretCalls * LIST_PRICES.secretsManagerPerCall;
  return {
    sqs: sqs * scale,
    sns: sns * scale,
    lambda: lambda * scale,
    dynamoDb: dynamoDb * scale,
    secretsManager: secretsManager * scale,
    total: (sqs + sns + lambda + dynamoDb + secretsManager) * scale,
    requests: {
      sqs: sqsRequests * scale,
      sns: c.jobs * scale,
      lambdaInvocations: invocations * scale,
      lambdaGbSeconds: gbSeconds * scale,
      dynamoDbWrites: dynamoWrites * scale,
      secretsManager: c.secretCalls * scale,
    },
  };
}

/**
 * A Step Functions Standard poll loop on the same schedule, per 1,000 jobs: about 3 state
 * transitions per check (Wait, Task, Choice, per aws-notes.md) plus one to start and one to
 * publish, and the same SNS publish. The Task that calls Alation is not priced (an HTTP Task or
 * a Lambda adds to it), so this is a lower bound.
 */
export function stepFunctionsPer1000Jobs(jobs: number, checks: number): { transitions: number; total: number } {
  const transitions = (3 * checks + 2 * jobs) * (1000 / jobs);
  return { transitions, total: transitions * LIST_PRICES.stepFunctionsPerTransition + 1000 * LIST_PRICES.snsPublishPerRequest };
}
