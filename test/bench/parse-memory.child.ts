/**
 * One measured answer, in its own process (see parse-memory.bench.ts): optionally the deployed
 * handler's init first (so the baseline holds what a warm function holds), then the path a
 * final answer takes through the function: the client reads it over loopback, `decide` builds
 * the outcome (parseResult), and the notification is built as the publisher sends it.
 * Prints one JSON line.
 */
import { pathToFileURL } from 'node:url';
import { createAlationClient } from '../../shared/alation/client';
import { buildNotification } from '../../shared/notify/notification';
import { decide } from '../../shared/watch/decide';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const mb = (bytes: number) => bytes / (1024 * 1024);
const gc = (globalThis as { gc?: () => void }).gc;

if (process.env.PARSE_BENCH_HANDLER) await import(pathToFileURL(process.env.PARSE_BENCH_HANDLER).href);
gc?.();
const baselineRss = process.memoryUsage().rss;

const client = createAlationClient({ baseUrl: env('PARSE_BENCH_URL'), timeoutMs: 120_000, maxBodyBytes: Number(env('PARSE_BENCH_MAX_BODY_BYTES')) });
const records = Number(process.env.PARSE_BENCH_RECORDS ?? '1');

/** One record's path: read the answer, decide, build what the publisher sends; kept until every record is done, as a batch holds its outcomes until they are published. */
async function oneRecord(jobId: number): Promise<Record<string, unknown>> {
  const check = await client.getJobStatus({ id: jobId }, 'bench-token');
  const decision = decide({
    reference: { job: { id: jobId }, kind: 'bench', context: null, watch: null },
    check: { ok: true, response: check.status },
    policy: { initialDelaySeconds: 1, maxDelaySeconds: 70, growth: 0.75, jitter: 0.1, maxWatchSeconds: 3600 },
    now: new Date(),
    random: 0.5,
  });
  if (decision.action !== 'publish') throw new Error(`expected a final outcome, got ${decision.action}`);
  const notification = buildNotification(decision.outcome);
  const { result } = notification.outcome;
  return {
    status: decision.outcome.status,
    hasErrors: decision.outcome.hasErrors,
    parseTruncated: decision.outcome.result.truncated,
    errorObjectCount: result.errorObjectCount,
    errorObjectsSent: result.errorObjects.length,
    notificationBytes: Buffer.byteLength(notification.Message) + Buffer.byteLength(notification.Subject),
  };
}

const cpu = process.cpuUsage();
const started = performance.now();
let outcome: Record<string, unknown>;
try {
  const outcomes = await Promise.all(Array.from({ length: records }, (_, i) => oneRecord(i + 1)));
  outcome = outcomes[0] as Record<string, unknown>;
} catch (error) {
  outcome = { error: error instanceof Error ? error.message.slice(0, 200) : String(error) };
}
const wallMs = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
process.stdout.write(
  `${JSON.stringify({
    baselineRssMb: mb(baselineRss),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    wallMs,
    cpuMs: (user + system) / 1000,
    outcome,
  })}\n`,
);
