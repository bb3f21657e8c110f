/**
 * The parent side of `lambda-runtime.mjs`: starts the bundle in its own process on a given
 * Node.js binary, and returns a handler with the signature Lambda calls, so the local event
 * source mapping (`startLocalJobWatch({ handler })`) feeds it as Lambda would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { JobStatusHandler } from '../../shared/local/job-watch';
import { awsCallFromWire, type AwsCallSink } from '../support/aws-calls';

const DRIVER = fileURLToPath(new URL('./lambda-runtime.mjs', import.meta.url));

export interface LambdaRuntimeOptions {
  /** The Node.js executable (the pinned Lambda one: `lambdaNode().path`). */
  readonly nodePath: string;
  /** The bundle's `index.mjs`. */
  readonly bundleEntry: string;
  /** The process environment: the function's variables and the AWS endpoints. Nothing else is inherited. */
  readonly env: Readonly<Record<string, string>>;
  /** Receives every AWS call the process sends. */
  readonly awsCalls?: AwsCallSink;
  /** How long init (importing the bundle) may take. @default 20 000 */
  readonly initTimeoutMs?: number;
}

export interface LambdaRuntime {
  readonly handler: JobStatusHandler;
  /** `process.version` inside the runtime, e.g. `v24.22.3`. */
  readonly nodeVersion: string;
  /** How long importing the bundle took in the runtime, in ms. */
  readonly initMs: number;
  /** What the function wrote to stdout and stderr, line by line. */
  readonly logLines: string[];
  stop(): Promise<void>;
}

type Message =
  | { type: 'ready'; node: string; initMs: number }
  | { type: 'init-error'; error: string }
  | { type: 'result'; id: number; response: SQSBatchResponse }
  | { type: 'error'; id: number; error: { name: string; message: string } }
  | { type: 'http-request'; headers: Record<string, string | undefined>; body: string };

/** Lambda's own variables for a function on `nodejs24.x` (the ones the code or its libraries may read). */
export function lambdaEnvironment(functionName: string, region: string): Record<string, string> {
  return {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    TZ: ':UTC',
  };
}

function lines(sink: string[]): (chunk: Buffer) => void {
  let partial = '';
  return (chunk) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    sink.push(...parts.filter(Boolean));
  };
}

/** Spawns the runtime and waits for its init. @throws with the runtime's output when init fails. */
export async function startLambdaRuntime(options: LambdaRuntimeOptions): Promise<LambdaRuntime> {
  const logLines: string[] = [];
  const child: ChildProcess = spawn(options.nodePath, [DRIVER, options.bundleEntry], {
    env: { ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout!.on('data', lines(logLines));
  child.stderr!.on('data', lines(logLines));

  let nextId = 0;
  const pending = new Map<number, { resolve: (r: SQSBatchResponse) => void; reject: (e: Error) => void }>();
  let exited = false;

  const ready = new Promise<{ node: string; initMs: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runtime did not finish init in ${options.initTimeoutMs ?? 20_000} ms:\n${logLines.join('\n')}`)), options.initTimeoutMs ?? 20_000);
    child.on('message', (message: Message) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message);
      } else if (message.type === 'init-error') {
        clearTimeout(timer);
        reject(new Error(`init failed in the runtime: ${message.error}`));
      } else if (message.type === 'result' || message.type === 'error') {
        const call = pending.get(message.id);
        pending.delete(message.id);
        if (message.type === 'result') call?.resolve(message.response);
        else call?.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
      } else if (message.type === 'http-request') {
        options.awsCalls?.push(awsCallFromWire(message));
      }
    });
    child.on('exit', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      const error = new Error(`the runtime exited (code ${code}, signal ${signal}):\n${logLines.slice(-20).join('\n')}`);
      reject(error);
      for (const call of pending.values()) call.reject(error);
      pending.clear();
    });
  });
  const { node, initMs } = await ready;

  const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error('the runtime has exited'));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      // The context's functions do not cross the process boundary; the runtime rebuilds them.
      const { getRemainingTimeInMillis, done: _d, fail: _f, succeed: _s, ...fields } = context;
      child.send({ type: 'invoke', id, event, context: { ...fields, remainingMs: getRemainingTimeInMillis() } });
    });

  return {
    handler,
    nodeVersion: node,
    initMs,
    logLines,
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await gone;
      clearTimeout(timer);
    },
  };
}
