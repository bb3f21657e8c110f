/**
 * Cold start: size of the handler bundle and the time to import it in fresh `node` processes,
 * beside the same handler with its packages loaded from node_modules.
 */
import { buildUnbundledHandler, bundleHandler, bundleHandlerWithRuntimeSdk, type BuiltHandler } from './lib/bundle';
import { measureImport, type ImportTiming } from './lib/cold-start';
import { percentile } from './lib/stats';

export interface ColdStartVariant extends BuiltHandler {
  readonly variant: string;
  readonly runs: number;
  readonly initMs: { readonly median: number; readonly p95: number };
  /** Of which loading the external `@aws-sdk/*` packages (runtime-provided in Lambda). */
  readonly sdkMs: { readonly median: number; readonly p95: number };
  /** Of which everything else (our code, and for the unbundled variant the other packages), once the SDK is loaded. */
  readonly ownMs: { readonly median: number; readonly p95: number };
}

const summary = (values: number[]) => ({ median: percentile(values, 50), p95: percentile(values, 95) });

async function measure(variant: string, built: BuiltHandler, runs: number, sdkExternal = true): Promise<ColdStartVariant> {
  const timings: ImportTiming[] = [];
  // Sequential: parallel processes would measure contention between themselves.
  for (let i = 0; i < runs; i++) timings.push(await measureImport(built.file, sdkExternal));
  return {
    variant,
    ...built,
    runs,
    initMs: summary(timings.map((t) => t.totalMs)),
    sdkMs: summary(timings.map((t) => t.sdkMs)),
    ownMs: summary(timings.map((t) => t.totalMs - t.sdkMs)),
  };
}

export async function runColdStart(runs = 20): Promise<ColdStartVariant[]> {
  const bundled = await bundleHandler();
  const unbundled = await buildUnbundledHandler();
  const runtimeSdk = await bundleHandlerWithRuntimeSdk();
  return [
    await measure('bundled as deployed (esbuild, minified ESM, AWS SDK inside)', bundled, runs, false),
    await measure('unbundled (our code transpiled, every package from node_modules)', unbundled, runs),
    await measure("bundled with @aws-sdk/* left to the runtime's SDK (for comparison)", runtimeSdk, runs),
  ];
}
