import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from './http-listen';

/** A stack as `DescribeStacks` and `ListStackResources` describe it. */
export interface LocalStack {
  readonly name: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly resources: ReadonlyArray<{ readonly logicalId: string; readonly physicalId: string; readonly type: string }>;
}

/** A function as `GetFunctionConfiguration` describes it. */
export interface LocalFunction {
  readonly name: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  /** @default 'Active' */
  readonly state?: string;
}

/** An event source mapping as `ListEventSourceMappings` describes it. */
export interface LocalMapping {
  readonly uuid: string;
  readonly functionName: string;
  readonly eventSourceArn: string;
  readonly state: 'Enabled' | 'Disabled' | 'Creating' | 'Updating' | 'Disabling' | 'Enabling' | 'Deleting';
  readonly batchSize: number;
  readonly maximumBatchingWindowInSeconds: number;
  readonly functionResponseTypes: readonly string[];
}

/** An alarm as `DescribeAlarms` describes it. Nothing evaluates it locally: its state is what was set. */
export interface LocalAlarm {
  readonly name: string;
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  readonly reason: string;
  readonly description?: string;
}

/** A running stand-in for the read-only control-plane calls `doctor` makes. */
export interface ControlPlaneServer {
  /** One endpoint for CloudFormation, Lambda and CloudWatch (told apart by protocol). */
  readonly endpoint: string;
  readonly region: string;
  putStack(stack: LocalStack): void;
  putFunction(fn: LocalFunction): void;
  putMapping(mapping: LocalMapping): void;
  /** Changes a mapping, as `UpdateEventSourceMapping` would (e.g. `{ state: 'Disabled' }`). */
  updateMapping(uuid: string, change: Partial<Omit<LocalMapping, 'uuid'>>): void;
  putAlarm(alarm: LocalAlarm): void;
  stop(): Promise<void>;
}

const ACCOUNT = '000000000000';
const CLOUDWATCH_TARGET = 'GraniteServiceVersion20100801.';
const LAMBDA_PREFIX = '/2015-03-31/';

class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * A minimal, in-memory stand-in for the read-only CloudFormation, Lambda and CloudWatch calls
 * that `doctor` makes, speaking each service's real wire protocol (CloudFormation: AWS query
 * with XML answers; Lambda: REST JSON; CloudWatch: JSON 1.0), so the unmodified SDK v3 clients
 * talk to it. fauxqs, dynalite and the Secrets Manager stand-in have no control plane, and the
 * local stack `npm start` builds must be checkable with the same code as a deployed one.
 *
 * It holds what it is told (`putStack`, `putFunction`, ...): the local job watch registers its
 * resources and keeps the mapping's state true to the local runner. Alarms are never evaluated.
 */
export async function startControlPlaneServer(options: { port?: number; region?: string } = {}): Promise<ControlPlaneServer> {
  const region = options.region ?? 'us-east-1';
  const stacks = new Map<string, LocalStack>();
  const functions = new Map<string, LocalFunction>();
  const mappings = new Map<string, LocalMapping>();
  const alarms = new Map<string, LocalAlarm>();
  const functionArn = (name: string) => `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`;

  const server = createServer((request, response) => {
    void handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://local');
    const target = String(request.headers['x-amz-target'] ?? '');
    if (url.pathname.startsWith(LAMBDA_PREFIX)) return lambda(request.method ?? 'GET', url, response);
    if (target.startsWith(CLOUDWATCH_TARGET)) return cloudWatch(target.slice(CLOUDWATCH_TARGET.length), body, response);
    return cloudFormation(new URLSearchParams(body), response);
  }

  function lambda(method: string, url: URL, response: ServerResponse): void {
    const send = (status: number, json: unknown, errorType?: string) => {
      response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
      response.end(JSON.stringify(json));
    };
    const rest = url.pathname.slice(LAMBDA_PREFIX.length);
    const configuration = /^functions\/([^/]+)\/configuration\/?$/.exec(rest);
    if (method === 'GET' && configuration) {
      const name = decodeURIComponent(configuration[1]!).split(':').pop()!;
      const fn = functions.get(name);
      if (!fn) return send(404, { Type: 'User', Message: `Function not found: ${functionArn(name)}` }, 'ResourceNotFoundException');
      return send(200, {
        FunctionName: fn.name,
        FunctionArn: functionArn(fn.name),
        Runtime: fn.runtime,
        Timeout: fn.timeoutSeconds,
        MemorySize: fn.memoryMb,
        Environment: { Variables: fn.environment },
        State: fn.state ?? 'Active',
        LastUpdateStatus: 'Successful',
        Handler: 'index.handler',
      });
    }
    if (method === 'GET' && /^event-source-mappings\/?$/.test(rest)) {
      const wanted = url.searchParams.get('FunctionName')?.split(':').pop();
      const list = [...mappings.values()].filter((m) => wanted === undefined || m.functionName === wanted);
      return send(200, {
        EventSourceMappings: list.map((m) => ({
          UUID: m.uuid,
          FunctionArn: functionArn(m.functionName),
          EventSourceArn: m.eventSourceArn,
          State: m.state,
          BatchSize: m.batchSize,
          MaximumBatchingWindowInSeconds: m.maximumBatchingWindowInSeconds,
          FunctionResponseTypes: [...m.functionResponseTypes],
        })),
      });
    }
    send(400, { Type: 'User', Message: `${method} ${url.pathname} is not supported locally` }, 'InvalidRequestContentException');
  }

  function cloudWatch(operation: string, body: string, response: ServerResponse): void {
    const send = (status: number, json: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() });
      response.end(JSON.stringify(json));
    };
    const input = (body ? JSON.parse(body) : {}) as { AlarmNames?: string[]; StateValue?: string };
    if (operation === 'DescribeAlarms') {
      const list = [...alarms.values()].filter(
        (a) => (input.AlarmNames === undefined || input.AlarmNames.includes(a.name)) && (input.StateValue === undefined || a.state === input.StateValue),
      );
      return send(200, {
        MetricAlarms: list.map((a) => ({
          AlarmName: a.name,
          AlarmArn: `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${a.name}`,
          StateValue: a.state,
          StateReason: a.reason,
          ...(a.description ? { AlarmDescription: a.description } : {}),
        })),
        CompositeAlarms: [],
      });
    }
    // Local queues publish no metrics: an empty answer is the honest one.
    if (operation === 'GetMetricData') return send(200, { MetricDataResults: [], Messages: [] });
    send(400, { __type: 'InvalidAction', message: `${operation} is not supported locally` });
  }

  function cloudFormation(params: URLSearchParams, response: ServerResponse): void {
    const action = params.get('Action') ?? '';
    const send = (status: number, xml: string) => {
      response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
      response.end(xml);
    };
    try {
      const stack = stacks.get(params.get('StackName') ?? '');
      if (action !== 'DescribeStacks' && action !== 'ListStackResources') throw new ServiceError('InvalidAction', `${action || '(none)'} is not supported locally`);
      if (!stack) throw new ServiceError('ValidationError', `Stack with id ${params.get('StackName') ?? ''} does not exist`);
      const ns = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
      const stackId = `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/${stack.name}/local`;
      if (action === 'DescribeStacks') {
        const outputs = Object.entries(stack.outputs)
          .map(([key, value]) => `<member><OutputKey>${xml(key)}</OutputKey><OutputValue>${xml(value)}</OutputValue></member>`)
          .join('');
        return send(
          200,
          `<DescribeStacksResponse xmlns="${ns}"><DescribeStacksResult><Stacks><member><StackName>${xml(stack.name)}</StackName><StackId>${xml(stackId)}</StackId>` +
            `<StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>${new Date().toISOString()}</CreationTime><Outputs>${outputs}</Outputs></member></Stacks></DescribeStacksResult>` +
            `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
        );
      }
      const resources = stack.resources
        .map(
          (r) =>
            `<member><LogicalResourceId>${xml(r.logicalId)}</LogicalResourceId><PhysicalResourceId>${xml(r.physicalId)}</PhysicalResourceId>` +
            `<ResourceType>${xml(r.type)}</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus><LastUpdatedTimestamp>${new Date().toISOString()}</LastUpdatedTimestamp></member>`,
        )
        .join('');
      return send(
        200,
        `<ListStackResourcesResponse xmlns="${ns}"><ListStackResourcesResult><StackResourceSummaries>${resources}</StackResourceSummaries></ListStackResourcesResult>` +
          `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></ListStackResourcesResponse>`,
      );
    } catch (error) {
      const e = error instanceof ServiceError ? error : new ServiceError('InternalFailure', String(error), 500);
      send(e.status, `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${xml(e.code)}</Code><Message>${xml(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
    }
  }

  const endpoint = await listenOnLoopback(server, options.port ?? 0);
  return {
    endpoint,
    region,
    putStack: (stack) => void stacks.set(stack.name, stack),
    putFunction: (fn) => void functions.set(fn.name, fn),
    putMapping: (mapping) => void mappings.set(mapping.uuid, mapping),
    updateMapping(uuid, change) {
      const mapping = mappings.get(uuid);
      if (!mapping) throw new Error(`no local event source mapping ${uuid}`);
      mappings.set(uuid, { ...mapping, ...change });
    },
    putAlarm: (alarm) => void alarms.set(alarm.name, alarm),
    stop: () => closeServer(server),
  };
}

/** Request bodies here are a few hundred bytes; stop reading past 1 MiB. */
async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 1024 * 1024) throw new RangeError('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
