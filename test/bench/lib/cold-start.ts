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

/** The SDK packages the bundle imports; the Lambda runtime provides them. */
export const RUNTIME_SDK_PACKAGES = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-sns',
  '@aws-sdk/client-sqs',
  '@aws-sdk/util-dynamodb',
] as const;

export interface ImportTiming {
  /** From the first import to the handler module evaluated. */
  readonly totalMs: number;
  /** Of which loading the runtime's SDK packages (0 when the SDK is bundled in). */
  readonly sdkMs: number;
}

/**
 * Module initialisation of one handler file in a fresh `node` process: the time of
 * `await import(file)` (parse, evaluate, config validation, SDK client construction), which
 * is what Lambda's Init phase spends on the function's code. Node's own start-up is excluded:
 * it is the runtime's, the same for every handler. The SDK packages the handler imports are
 * imported first and timed on their own: ESM evaluates a module's imports before it anyway.
 * A bundle with the SDK inside (`sdkExternal` false) is imported alone.
 */
export async function measureImport(file: string, sdkExternal = true): Promise<ImportTiming> {
  const sdk = sdkExternal ? `await Promise.all(${JSON.stringify(RUNTIME_SDK_PACKAGES)}.map((p) => import(p)));` : '';
  const script =
    `const t0 = performance.now(); ${sdk} const t1 = performance.now();` +
    `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); const t2 = performance.now();` +
    `if (typeof m.handler !== 'function') throw new Error('no handler export');` +
    `process.stdout.write(JSON.stringify({ totalMs: t2 - t0, sdkMs: t1 - t0 }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...DUMMY_FUNCTION_ENV },
    cwd: new URL('.', pathToFileURL(file)).pathname,
  });
  return JSON.parse(stdout) as ImportTiming;
}
