import { buildSync, type Metafile } from 'esbuild';

/**
 * What the job-status bundle leaves to the Lambda runtime.
 *
 * The AWS SDK v3 clients are bundled (tree-shaken, minified): importing them from the
 * runtime's copy file by file took about twice as long at cold start (BENCHMARKS.md) and
 * ran an SDK version the tests never saw. Left out are only the credential providers that
 * the default chain imports on demand and a Lambda function never reaches (its credentials
 * come from the environment, the first link of the chain): SSO, shared config files,
 * external processes, web identity, container metadata. Should one ever be needed, the
 * runtime's SDK provides it.
 */
export const RUNTIME_PROVIDED_MODULES = [
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/nested-clients',
  '@aws-sdk/token-providers',
] as const;

/**
 * Packages that esbuild writes a chunk for although nothing in the bundle imports it: the
 * SDK's browser user-agent parser (`bowser`, 35 KB), reached only from browser code that
 * tree-shaking removed. Left out of the asset; Node never asks for it.
 */
export const NEVER_LOADED_MODULES = ['bowser'] as const;

/** CommonJS dependencies bundled into ESM still call require() for Node built-ins. */
export const CREATE_REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export interface JobStatusBundleOptions {
  /** The handler's entry file (TypeScript). */
  readonly entry: string;
  /** Where `index.mjs`, its chunks and their source maps are written. */
  readonly outdir: string;
  /** Leave every package to node_modules (for the benchmark's unbundled comparison). */
  readonly packagesExternal?: boolean;
  /** Leave `@aws-sdk/*` to the runtime's copy (NodejsFunction's default; for comparison). */
  readonly sdkExternal?: boolean;
}

/**
 * Bundles the job-status function as the stack deploys it, and as the benchmarks measure
 * it: minified ESM for Node 22+, the AWS SDK v3 inside, split into chunks.
 *
 * Why split: Node parses every byte of a module it loads, and that time grows with the
 * bytes, so what the function reaches only through `import()` (the publish path, the SDK's
 * event streams, the instance-metadata credential provider) goes to chunks of its own that
 * a cold start does not read. NodejsFunction writes a single file, hence the
 * local esbuild call here. Source maps are written beside the chunks (line mappings only)
 * for decoding a stack trace; the function does not load them at run time, since Node's
 * `--enable-source-maps` adds 10–20 ms to every cold start (BENCHMARKS.md).
 *
 * Synchronous because CDK's local bundling is.
 */
export function bundleJobStatus(options: JobStatusBundleOptions): Metafile {
  const external = options.packagesExternal
    ? undefined
    : [...RUNTIME_PROVIDED_MODULES, ...NEVER_LOADED_MODULES, ...(options.sdkExternal ? ['@aws-sdk/*'] : [])];
  const result = buildSync({
    entryPoints: { index: options.entry },
    outdir: options.outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    // The SDK's and Powertools' ES builds tree-shake better than their CommonJS ones.
    mainFields: ['module', 'main'],
    banner: { js: CREATE_REQUIRE_BANNER },
    minify: !options.packagesExternal,
    sourcemap: !options.packagesExternal,
    // Line mappings are enough for stack traces; embedded sources would double the asset.
    sourcesContent: false,
    ...(options.packagesExternal ? { packages: 'external' as const } : { external }),
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}
