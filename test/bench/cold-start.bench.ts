/**
 * Cold start: size of the handler bundle and the time to import it in fresh `node` processes,
 * beside the same handler with its packages loaded from node_modules, and the time the
 * first outcome spends loading the publish path.
 */
import { buildUnbundledHandler, bundleHandler, bundleHandlerWithRuntimeSdk, type BuiltHandler } from './lib/bundle';
import { measureBuiltins, measureImport, type ImportTiming, type MeasureImportOptions } from './lib/cold-start';
import { percentile } from './lib/stats';

interface Summary {
  readonly median: number;
  readonly p95: number;
}

export interface ColdStartVariant extends BuiltHandler {
  readonly variant: string;
  readonly runs: number;
  /** Whether `@aws-sdk/*` is loaded from node_modules (else it is inside the bundle). */
  readonly sdkExternal: boolean;
  readonly initMs: Summary;
  /** Of which loading the external `@aws-sdk/*` packages (runtime-provided in Lambda). */
  readonly sdkMs: Summary;
  /** Of which everything else (our code, and for the unbundled variant the other packages), once the SDK is loaded. */
  readonly ownMs: Summary;
  /** Loading the publish path on the first outcome, after the init (not part of it). */
  readonly publishPathMs: Summary;
}

const summary = (values: number[]): Summary => ({ median: percentile(values, 50), p95: percentile(values, 95) });

async function measure(variant: string, built: BuiltHandler, runs: number, options: MeasureImportOptions): Promise<ColdStartVariant> {
  const timings: ImportTiming[] = [];
  // Sequential: parallel processes would measure contention between themselves.
  for (let i = 0; i < runs; i++) timings.push(await measureImport(built.file, { ...options, publishPath: built.publishPathFile }));
  return {
    variant,
    ...built,
    runs,
    sdkExternal: options.sdkExternal ?? false,
    initMs: summary(timings.map((t) => t.totalMs)),
    sdkMs: summary(timings.map((t) => t.sdkMs)),
    ownMs: summary(timings.map((t) => t.totalMs - t.sdkMs)),
    publishPathMs: summary(timings.map((t) => t.publishPathMs)),
  };
}

export interface ColdStart {
  /** The deployed variant first: the targets are measured on it. */
  readonly variants: ColdStartVariant[];
  /** Importing only the Node built-ins the deployed init imports (median of the same number of runs). */
  readonly builtins: { readonly modules: readonly string[]; readonly ms: Summary };
}

export async function runColdStart(runs = 20): Promise<ColdStart> {
  const deployed = bundleHandler();
  const unbundled = buildUnbundledHandler();
  const runtimeSdk = bundleHandlerWithRuntimeSdk();
  const builtinMs: number[] = [];
  for (let i = 0; i < runs; i++) builtinMs.push(await measureBuiltins(deployed.initBuiltins));
  const variants = [
    await measure('as deployed (esbuild, minified ESM chunks, AWS SDK inside)', deployed, runs, {}),
    await measure('as deployed, with NODE_OPTIONS=--enable-source-maps (what NodejsFunction sets with sourceMap)', deployed, runs, { nodeOptions: ['--enable-source-maps'] }),
    await measure('unbundled (our code transpiled, every package from node_modules)', unbundled, runs, { sdkExternal: true }),
    await measure("bundled with @aws-sdk/* left to the runtime's SDK (for comparison)", runtimeSdk, runs, { sdkExternal: true }),
  ];
  return { variants, builtins: { modules: deployed.initBuiltins, ms: summary(builtinMs) } };
}
