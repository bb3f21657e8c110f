/**
 * Peak memory and time for the largest answer the function accepts (issue 11): each answer is
 * served over loopback to a fresh `node --max-old-space-size=<the function's default memory>`
 * process that has the deployed handler loaded, reads it with the real client, builds the
 * outcome (parseResult) and the notification. The shapes are the realistic worst (thousands of
 * error strings, the issue's case) and the adversarial ones (what makes JSON.parse, the walk or
 * the scan work hardest per byte).
 *
 * Run on its own: `NODE_NO_WARNINGS=1 tsx test/bench/parse-memory.bench.ts` (prints the table).
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { MAX_ANSWER_BYTES, MAX_SCANNED_ANSWER_BYTES, ResultParseLimits } from '../../shared/alation/parse-limits';
import { DEFAULTS } from '../../infra/validate-props';
import { BENCH_OUT_DIR, REPO_ROOT, bundleHandler } from './lib/bundle';
import { DUMMY_FUNCTION_ENV } from './lib/cold-start';

const run = promisify(execFile);

export interface ParseMemoryRow {
  readonly shape: string;
  readonly answerBytes: number;
  /** Records reading such an answer at once in one process (a batch at RECORD_CONCURRENCY). */
  readonly records: number;
  readonly maxBodyBytes: number;
  /** RSS with the handler loaded, before the answer. */
  readonly baselineRssMb: number;
  /** The process's high-water mark (getrusage maxrss). */
  readonly peakRssMb: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly outcome: Record<string, unknown>;
  /** Set when the process died (e.g. out of memory) instead of answering. */
  readonly crashed?: string;
}

export interface ParseMemory {
  readonly memoryMb: number;
  readonly maxAnswerBytes: number;
  readonly rows: readonly ParseMemoryRow[];
}

interface Shape {
  readonly name: string;
  /** The answer's body, as close to `bytes` as the shape allows without passing it. */
  readonly body: (bytes: number) => string;
  /**
   * Sized to the most read of an oversized answer (`MAX_SCANNED_ANSWER_BYTES`) rather than the
   * byte cap: its status is scanned from the stream and its result omitted.
   */
  readonly atCeiling?: boolean;
}

const FINISHED = 'Job finished in 1.0 seconds at 2017-01-12 23:52:34.307327+00:00';

/** The largest count of items (at most `maxCount`) for which `make(count)` stays within `bytes`. */
function fill(bytes: number, make: (count: number) => string, itemBytes: number, maxCount = Number.POSITIVE_INFINITY): string {
  let count = Math.min(maxCount, Math.floor(bytes / itemBytes));
  let body = make(count);
  while (Buffer.byteLength(body) > bytes) {
    count = Math.floor(count * (bytes / Buffer.byteLength(body)) * 0.999);
    body = make(count);
  }
  return body;
}

const errorString = (i: number) => `Line ${i}. Key: 7.sales.orders_${i}. Datasource id in key does not match the id in the request`;
const answer = (status: string, result: unknown) => JSON.stringify({ status, msg: FINISHED, result });
// Just under the JSON value budget, counting the containers and fields around the items.
const MOST_ITEMS = ResultParseLimits.maxJsonValues - 100;

export const SHAPES: readonly Shape[] = [
  {
    name: 'error strings in a JSON-string result (the reference form; issue 11)',
    body: (bytes) =>
      fill(
        bytes,
        (n) =>
          answer(
            'successful',
            JSON.stringify({ number_received: n, updated_objects: 0, error_objects: Array.from({ length: n }, (_, i) => errorString(i)), error: `${n} errors were ignored` }),
          ),
        errorString(100_000).length + 6,
      ),
  },
  {
    name: 'short error strings, as many as the value budget allows',
    body: (bytes) =>
      fill(bytes, (n) => answer('successful', JSON.stringify({ error_objects: Array.from({ length: n }, (_, i) => `Key: ${i}. bad`) })), 18, MOST_ITEMS),
  },
  {
    name: 'one-character strings in a list result, as many as the value budget allows',
    body: (bytes) => fill(bytes, (n) => answer('partially_successful', Array.from({ length: n }, () => 'a')), 4, MOST_ITEMS),
  },
  {
    name: 'empty objects in a JSON-string result, as many as the value budget allows (`{}` counts twice)',
    body: (bytes) => fill(bytes, (n) => answer('successful', `[${Array.from({ length: n }, () => '{}').join(',')}]`), 3, MOST_ITEMS / 2),
  },
  {
    name: 'empty objects in a JSON-string result, at the byte cap (decoding refused: read as text)',
    body: (bytes) => fill(bytes, (n) => answer('successful', `[${Array.from({ length: n }, () => '{}').join(',')}]`), 3),
  },
  {
    name: 'empty objects in a list result, at the byte cap (too many values to decode: status scanned, result omitted)',
    body: (bytes) => fill(bytes, (n) => answer('successful', Array.from({ length: n }, () => ({}))), 3),
  },
  {
    name: 'a run of digits in `error` (the quadratic case of issue 11)',
    body: (bytes) => fill(bytes, (n) => answer('failed', JSON.stringify({ error: '1'.repeat(n) })), 1),
  },
  {
    name: 'error strings in a list result, at the 64 MiB most read (over the byte cap: status scanned, result omitted)',
    body: (bytes) => fill(bytes, (n) => answer('successful', Array.from({ length: n }, (_, i) => errorString(i))), errorString(100_000).length + 3),
    atCeiling: true,
  },
];

async function bundleChild(): Promise<string> {
  const outfile = join(BENCH_OUT_DIR, 'parse-memory', 'child.mjs');
  await build({
    entryPoints: [join(REPO_ROOT, 'test/bench/parse-memory.child.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
    // Bundled packages that still use require() need it in ESM.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  return outfile;
}

async function measure(child: string, handlerFile: string | undefined, body: string, records: number, maxBodyBytes: number, memoryMb: number): Promise<Omit<ParseMemoryRow, 'shape'>> {
  const payload = Buffer.from(body);
  const server = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': payload.byteLength });
    res.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = { answerBytes: payload.byteLength, records, maxBodyBytes };
  try {
    const { stdout } = await run(process.execPath, [`--max-old-space-size=${memoryMb}`, '--expose-gc', child], {
      env: {
        PATH: process.env.PATH ?? '',
        ...DUMMY_FUNCTION_ENV,
        PARSE_BENCH_URL: `http://127.0.0.1:${port}`,
        PARSE_BENCH_MAX_BODY_BYTES: String(maxBodyBytes),
        PARSE_BENCH_RECORDS: String(records),
        ...(handlerFile ? { PARSE_BENCH_HANDLER: handlerFile } : {}),
      },
      maxBuffer: 1024 * 1024,
    });
    return { ...base, ...(JSON.parse(stdout.trim().split('\n').pop() as string) as Omit<ParseMemoryRow, 'shape' | keyof typeof base>) };
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? error);
    const reason = /heap out of memory|Allocation failed/i.test(stderr) ? 'out of memory' : stderr.trim().split('\n').slice(-1)[0] ?? 'crashed';
    return { ...base, baselineRssMb: Number.NaN, peakRssMb: Number.NaN, wallMs: Number.NaN, cpuMs: Number.NaN, outcome: {}, crashed: reason };
  } finally {
    server.close();
  }
}

/**
 * Every shape at the largest accepted answer, one record and then `batchRecords` at once;
 * then the issue's shape at the previous cap (16 MiB) for comparison.
 */
export async function runParseMemory(
  options: { handlerFile?: string; memoryMb?: number; batchRecords?: number; only?: (shape: string) => boolean } = {},
): Promise<ParseMemory> {
  const memoryMb = options.memoryMb ?? DEFAULTS.memorySizeMb;
  const batchRecords = options.batchRecords ?? 10;
  const child = await bundleChild();
  const rows: ParseMemoryRow[] = [];
  const target = MAX_ANSWER_BYTES - 64; // headroom for the bench's own rounding
  for (const shape of SHAPES.filter((s) => options.only?.(s.name) ?? true)) {
    const body = shape.body(shape.atCeiling ? MAX_SCANNED_ANSWER_BYTES - 64 : target);
    for (const records of [1, batchRecords]) {
      rows.push({ shape: shape.name, ...(await measure(child, options.handlerFile, body, records, MAX_ANSWER_BYTES, memoryMb)) });
    }
  }
  const oldCap = 16 * 1024 * 1024;
  const [issueShape] = SHAPES as [Shape];
  const oldCapShape = `${issueShape.name}, at the previous 16 MiB cap`;
  if (options.only?.(oldCapShape) ?? true) {
    rows.push({ shape: oldCapShape, ...(await measure(child, options.handlerFile, issueShape.body(oldCap - 64), 1, oldCap, memoryMb)) });
  }
  return { memoryMb, maxAnswerBytes: MAX_ANSWER_BYTES, rows };
}

const f = (n: number, digits = 0) => (Number.isNaN(n) ? '—' : n.toFixed(digits));

/** The section of BENCHMARKS.md. */
export function parseMemorySection(result: ParseMemory): string {
  const head = ['answer', 'bytes', 'records at once', 'baseline RSS', 'peak RSS', 'wall ms', 'CPU ms', 'outcome'];
  const rows = result.rows.map((r) => [
    r.shape,
    String(r.answerBytes),
    String(r.records),
    `${f(r.baselineRssMb)} MB`,
    r.crashed ? `**${r.crashed}**` : `${f(r.peakRssMb)} MB`,
    f(r.wallMs),
    f(r.cpuMs),
    r.crashed ? '' : Object.entries(r.outcome).map(([k, v]) => `${k} ${String(v)}`).join(', '),
  ]);
  return `## Parsing the largest accepted answer (memory)

Each answer is served over loopback to a fresh \`node --max-old-space-size=${result.memoryMb}\` process (the function's default
memory) that has the deployed handler loaded (its init is the baseline), then reads it with the real client, builds the outcome
(\`decide\` → \`parseResult\`) and the SNS notification. Answers are at the cap, ${result.maxAnswerBytes} bytes (\`MAX_ANSWER_BYTES\`),
except the "64 MiB most read" row, at \`MAX_SCANNED_ANSWER_BYTES\` (read for its status only, nothing of it kept);
"records at once" reads that many such answers concurrently in one process, as a batch does. Peak RSS is the process's high-water
mark (getrusage), handler init included. The last row is the issue's shape at the previous cap, for comparison.

${[`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')}`;
}

/** The target: every answer up to the cap, a whole batch of them at once, within 75 % of the function's memory. */
export function parseMemoryTargets(result: ParseMemory): { section: string; target: string; measured: string; met: boolean }[] {
  const atCap = result.rows.filter((r) => r.maxBodyBytes === result.maxAnswerBytes);
  const worst = Math.max(...atCap.map((r) => (r.crashed ? Number.POSITIVE_INFINITY : r.peakRssMb)));
  const budget = result.memoryMb * 0.75;
  return [
    {
      section: 'parsing',
      target: `largest accepted answer (${result.maxAnswerBytes} bytes, any shape, up to a batch at once): peak RSS ≤ 75 % of ${result.memoryMb} MB`,
      measured: Number.isFinite(worst) ? `${f(worst)} MB` : 'a process crashed',
      met: worst <= budget,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const handlerFile = bundleHandler().file;
  const result = await runParseMemory({ handlerFile });
  console.log(parseMemorySection(result));
  for (const t of parseMemoryTargets(result)) console.log(`\n${t.met ? 'met' : 'NOT MET'}: ${t.target} — measured ${t.measured}`);
}
