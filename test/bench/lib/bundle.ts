import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleJobStatus, type JobStatusBundleOptions } from '../../../infra/bundling';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const HANDLER_ENTRY = join(REPO_ROOT, 'functions/job-status/handler.ts');
// Under node_modules so that the externals (`@aws-sdk/*`, or every package for the unbundled
// build) resolve from the project's node_modules, as they resolve from the runtime's in Lambda.
export const BENCH_OUT_DIR = join(REPO_ROOT, 'node_modules/.cache/alation-job-watch-bench');

export interface BuiltHandler {
  /** The entry module (`index.mjs`). */
  readonly file: string;
  /** Every JavaScript file written (the entry and its chunks; source maps not counted). */
  readonly files: number;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Of `bytes`, what a cold start loads: the entry and the chunks it imports statically. */
  readonly initBytes: number;
  /** The chunk of the publish path, which the handler imports on its first outcome. */
  readonly publishPathFile: string;
  /** Node built-in modules the code loaded at init imports (`node:http`, ...). */
  readonly initBuiltins: readonly string[];
}

/** The handler exactly as the stack deploys it (`bundleJobStatus`). */
export function bundleHandler(): BuiltHandler {
  return build('deployed', {});
}

/** The handler with `@aws-sdk/*` left to the runtime (NodejsFunction's default): measured for the trade-off. */
export function bundleHandlerWithRuntimeSdk(): BuiltHandler {
  return build('runtime-sdk', { sdkExternal: true });
}

/**
 * The same handler "unbundled": our own sources are transpiled, but every package loads from
 * node_modules file by file, as a zip of node_modules would deploy it.
 */
export function buildUnbundledHandler(): BuiltHandler {
  return build('unbundled', { packagesExternal: true });
}

function build(name: string, options: Omit<JobStatusBundleOptions, 'entry' | 'outdir'>): BuiltHandler {
  const outdir = join(BENCH_OUT_DIR, name);
  rmSync(outdir, { recursive: true, force: true }); // chunk names carry content hashes
  const metafile = bundleJobStatus({ entry: HANDLER_ENTRY, outdir, ...options });
  // Metafile paths are relative to the working directory.
  const outputs = new Map(
    Object.entries(metafile.outputs)
      .filter(([path]) => path.endsWith('.mjs'))
      .map(([path, output]) => [resolve(path), output]),
  );
  const atInit = new Set<string>();
  const builtins = new Set<string>();
  const visit = (file: string) => {
    if (atInit.has(file)) return;
    atInit.add(file);
    for (const i of outputs.get(file)?.imports ?? []) {
      if (i.kind !== 'import-statement') continue;
      if (!i.external) visit(resolve(i.path));
      else if (i.path.startsWith('node:')) builtins.add(i.path);
    }
  };
  const file = join(outdir, 'index.mjs');
  visit(file);
  const publishPath = [...outputs].find(([, o]) => o.entryPoint !== undefined && relative(REPO_ROOT, resolve(o.entryPoint)) === 'shared/aws/publish-path.ts');
  const size = (files: Iterable<string>) => [...files].reduce((sum, f) => sum + (outputs.get(f)?.bytes ?? 0), 0);
  return {
    file,
    files: outputs.size,
    bytes: size(outputs.keys()),
    gzipBytes: [...outputs.keys()].reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0),
    initBytes: size(atInit),
    publishPathFile: publishPath?.[0] ?? '',
    initBuiltins: [...builtins].sort(),
  };
}
