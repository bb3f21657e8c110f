import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_ENTRY } from '../../infra/alation-job-watch';
import { bundleJobStatus } from '../../infra/bundling';
import type { JobStatusHandler } from '../../shared/local/job-watch';

/** The job-status handler as the stack deploys it, bundled once for a test file. */
export interface BundledHandler {
  /**
   * For `startLocalJobWatch({ handler })`: sets the function's environment, then imports the
   * bundle, as Lambda's runtime does at cold start.
   */
  load(env: Readonly<Record<string, string>>): Promise<JobStatusHandler>;
  /** Deletes the bundle. */
  remove(): void;
}

/**
 * Bundles functions/job-status/handler.ts with `bundleJobStatus` (minified, code-split, the
 * publish path in a chunk loaded on the first outcome). The bundle goes under node_modules,
 * where vitest leaves .mjs files to Node's own ESM loader: elsewhere its module runner would
 * load the chunks (and the publish path's import()) in Node's place.
 */
export function bundleDeployedHandler(): BundledHandler {
  const cacheDir = fileURLToPath(new URL('../../node_modules/.cache/', import.meta.url));
  mkdirSync(cacheDir, { recursive: true });
  const bundleDir = mkdtempSync(join(cacheDir, 'alation-job-watch-bundle-'));
  bundleJobStatus({ entry: DEFAULT_ENTRY, outdir: bundleDir });
  return {
    async load(env) {
      Object.assign(process.env, env);
      return ((await import(pathToFileURL(join(bundleDir, 'index.mjs')).href)) as { handler: JobStatusHandler }).handler;
    },
    remove: () => rmSync(bundleDir, { recursive: true, force: true }),
  };
}
