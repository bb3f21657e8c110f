import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { RUNTIME_PROVIDED_MODULES } from '../../../infra/bundling';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const HANDLER_ENTRY = join(REPO_ROOT, 'functions/job-status/handler.ts');
// Under node_modules so that the externals (`@aws-sdk/*`, or every package for the unbundled
// build) resolve from the project's node_modules, as they resolve from the runtime's in Lambda.
export const BENCH_OUT_DIR = join(REPO_ROOT, 'node_modules/.cache/alation-job-watch-bench');

export interface BuiltHandler {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/**
 * Bundles the handler exactly as `infra/alation-job-watch.ts` has NodejsFunction bundle it:
 * ESM, minified, node22, `module` before `main`, the createRequire banner, the AWS SDK
 * inside, and only the credential providers a Lambda function never reaches left external.
 */
export async function bundleHandler(): Promise<BuiltHandler> {
  return buildHandler('bundled.mjs', { external: [...RUNTIME_PROVIDED_MODULES] });
}

/** The handler with `@aws-sdk/*` left to the runtime (NodejsFunction's default): measured for the trade-off. */
export async function bundleHandlerWithRuntimeSdk(): Promise<BuiltHandler> {
  return buildHandler('runtime-sdk.mjs', { external: ['@aws-sdk/*'] });
}

/**
 * The same handler "unbundled": our own sources are transpiled into one file, but every
 * package loads from node_modules file by file, as a zip of node_modules would deploy it.
 */
export async function buildUnbundledHandler(): Promise<BuiltHandler> {
  return buildHandler('unbundled.mjs', { packages: 'external' });
}


async function buildHandler(name: string, extra: { external?: string[]; packages?: 'external' }): Promise<BuiltHandler> {
  mkdirSync(BENCH_OUT_DIR, { recursive: true });
  const file = join(BENCH_OUT_DIR, name);
  await build({
    entryPoints: [HANDLER_ENTRY],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    minify: extra.packages !== 'external',
    sourcemap: extra.packages !== 'external',
    sourcesContent: false,
    logLevel: 'silent',
    ...extra,
  });
  const code = readFileSync(file);
  return { file, bytes: code.length, gzipBytes: gzipSync(code).length };
}
