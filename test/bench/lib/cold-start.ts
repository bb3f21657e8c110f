import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { FUNCTION_ENV } from '../../support/function-env';

const run = promisify(execFile);

/** The variables the handler validates at import; dummy values, nothing is called. */
export const DUMMY_FUNCTION_ENV = {
  ...FUNCTION_ENV,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
} as const;

/** The SDK packages the handler imports at init; the Lambda runtime provides them. */
export const RUNTIME_SDK_PACKAGES = ['@aws-sdk/client-secrets-manager', '@aws-sdk/client-sqs'] as const;

/** The SDK packages only the publish path imports (on the first outcome). */
export const RUNTIME_SDK_PUBLISH_PACKAGES = ['@aws-sdk/client-dynamodb', '@aws-sdk/client-sns', '@aws-sdk/util-dynamodb'] as const;

export interface ImportTiming {
  /** From the first import to the handler module evaluated. */
  readonly totalMs: number;
  /** Of which loading the runtime's SDK packages (0 when the SDK is bundled in). */
  readonly sdkMs: number;
  /** After that, loading the publish path as the first outcome does (its SDK packages when external, import, clients, publisher); 0 without one. */
  readonly publishPathMs: number;
}

export interface MeasureImportOptions {
  /** Import the runtime's SDK packages first and time them on their own. */
  readonly sdkExternal?: boolean;
  /** Node options, as the function's NODE_OPTIONS would set them. */
  readonly nodeOptions?: readonly string[];
  /** The publish path's chunk, loaded and set up after the handler as on the first outcome. */
  readonly publishPath?: string;
  /** The `node` to run (default: this process's); the Lambda runtime's for the row measured on it. */
  readonly nodePath?: string;
}

/**
 * Module initialisation of one handler file in a fresh `node` process: the time of
 * `await import(file)` (parse, evaluate, config validation, SDK client construction), which
 * is what Lambda's Init phase spends on the function's code. Node's own start-up is excluded:
 * it is the runtime's, the same for every handler. The SDK packages the handler imports are
 * imported first and timed on their own: ESM evaluates a module's imports before it anyway.
 * A bundle with the SDK inside (`sdkExternal` false) is imported alone.
 */
export async function measureImport(file: string, options: MeasureImportOptions = {}): Promise<ImportTiming> {
  const sdk = options.sdkExternal ? `await Promise.all(${JSON.stringify(RUNTIME_SDK_PACKAGES)}.map((p) => import(p)));` : '';
  const publishSdk = options.sdkExternal ? `await Promise.all(${JSON.stringify(RUNTIME_SDK_PUBLISH_PACKAGES)}.map((p) => import(p)));` : '';
  const publishPath = options.publishPath
    ? `${publishSdk} const p = await import(${JSON.stringify(pathToFileURL(options.publishPath).href)});` +
      `p.createPublishPath({ topicArn: process.env.OUTCOME_TOPIC_ARN, tableName: process.env.IDEMPOTENCY_TABLE_NAME });`
    : '';
  const script =
    `const t0 = performance.now(); ${sdk} const t1 = performance.now();` +
    `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); const t2 = performance.now();` +
    `if (typeof m.handler !== 'function') throw new Error('no handler export');` +
    `${publishPath} const t3 = performance.now();` +
    `process.stdout.write(JSON.stringify({ totalMs: t2 - t0, sdkMs: t1 - t0, publishPathMs: t3 - t2 }));`;
  const { stdout } = await run(options.nodePath ?? process.execPath, [...(options.nodeOptions ?? []), '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...DUMMY_FUNCTION_ENV },
    cwd: new URL('.', pathToFileURL(file)).pathname,
  });
  return JSON.parse(stdout) as ImportTiming;
}

/**
 * The floor under any handler that uses the SDK: importing just the Node built-in modules
 * its init imports, in a fresh process (milliseconds).
 */
export async function measureBuiltins(builtins: readonly string[]): Promise<number> {
  const script =
    `const t0 = performance.now(); await Promise.all(${JSON.stringify(builtins)}.map((m) => import(m)));` +
    `process.stdout.write(String(performance.now() - t0));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '' } });
  return Number(stdout);
}
