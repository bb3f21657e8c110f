/**
 * Alation misbehaving: 5xx, latency up to the client timeout and hung requests, 429 with
 * Retry-After, HTML pages, truncated JSON, tokens expiring and a secret rotated mid-run.
 * The real handler runs through the local event source mapping on the local AWS stand-ins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectEveryJobAccountedFor } from './support/expect-accounted';
import { captureLogs, type LogCapture } from './support/log-capture';
import { runScenario } from './support/scenario';
import { scenarioSpecs } from './support/scenarios';

const specs = scenarioSpecs('fast', { foreignBaseUrl: 'http://127.0.0.1:9' });
let logs: LogCapture;

beforeAll(() => {
  logs = captureLogs();
});
afterAll(() => logs.restore());

describe('under Alation faults, every job ends in exactly one outcome', () => {
  it('retries 20 % server errors until each job ends with its real status', async () => {
    const report = await runScenario(specs['alation-5xx']!, logs.lines);
    expectEveryJobAccountedFor(report);
    expect(report.faults.serverError).toBeGreaterThan(0);
  }, 60_000);

  it('retries timeouts and hung requests without overrunning the function timeout', async () => {
    const report = await runScenario(specs['alation-slow-and-hanging']!, logs.lines);
    expectEveryJobAccountedFor(report);
    expect(report.faults.timeout).toBeGreaterThan(0);
  }, 60_000);

  it('honours Retry-After on 429 and treats HTML pages and truncated JSON as retryable', async () => {
    const report = await runScenario(specs['alation-429-html-json']!, logs.lines);
    expectEveryJobAccountedFor(report);
    expect(report.faults.rateLimit! + report.faults.html! + report.faults.malformedJson!).toBeGreaterThan(0);
  }, 60_000);

  it('mints a new access token when the minted one expires mid-run', async () => {
    const report = await runScenario(specs['token-expires-mid-run']!, logs.lines);
    expectEveryJobAccountedFor(report);
    expect(report.faults.tokensMinted).toBeGreaterThan(1);
  }, 60_000);

  it('re-reads the secret when it is rotated mid-run', async () => {
    const report = await runScenario(specs['secret-rotated-mid-run']!, logs.lines);
    expectEveryJobAccountedFor(report);
    expect(report.collected.logLines.some((l) => l.includes('Alation refused the token'))).toBe(true);
  }, 60_000);
});
