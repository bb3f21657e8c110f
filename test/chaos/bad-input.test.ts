/**
 * Bad input and the security checks: invalid bodies mixed into batches of valid jobs, a
 * message trying to change where requests go, plain http to a non-loopback host, and invalid
 * configuration at cold start.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JOB_STATUS_PATH } from '../../shared/alation/client';
import { loadConfig } from '../../shared/config';
import { ConfigError } from '../../shared/errors';
import { startLocalJobWatch } from '../../shared/local/job-watch';
import { expectEveryJobAccountedFor } from './support/expect-accounted';
import { captureLogs, type LogCapture } from './support/log-capture';
import { runScenario, type ScenarioReport } from './support/scenario';
import { invalidBodies, scenarioSpecs, urlLikeJobNames } from './support/scenarios';

let logs: LogCapture;
/** A loopback server standing for "somewhere else": nothing may ever reach it. */
let foreign: Server;
let foreignUrl: string;
let foreignRequests = 0;
let report: ScenarioReport;
/** The function's environment but the base URL. */
const env = {
  ALATION_TOKEN_SECRET_ID: 'secret',
  WATCH_STATE_KEY_SECRET_ID: 'key',
  JOB_QUEUE_URL: 'q',
  DEAD_LETTER_QUEUE_URL: 'dlq',
  OUTCOME_TOPIC_ARN: 'topic',
  IDEMPOTENCY_TABLE_NAME: 'table',
};

beforeAll(async () => {
  logs = captureLogs();
  foreign = createServer((_req, res) => {
    foreignRequests += 1;
    res.end('{}');
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
  report = await runScenario(scenarioSpecs('fast', { foreignBaseUrl: foreignUrl })['bad-input']!, logs.lines);
}, 60_000);

afterAll(async () => {
  logs.restore();
  await new Promise((resolve) => foreign.close(resolve));
});

describe('invalid message bodies', () => {
  it('each go to the DLQ with their reason, and the valid jobs of the same batches end normally', () => {
    expectEveryJobAccountedFor(report);
    expect(Object.values(report.dlqByReason).reduce((a, b) => a + b, 0)).toBe(invalidBodies({ foreignBaseUrl: foreignUrl }).length);
    expect(report.redriven).toBe(0);
  });

  it('are logged with the same reason the DLQ message carries', () => {
    const logged = report.collected.logLines
      .filter((l) => l.includes('invalid job reference: sent to the dead-letter queue'))
      .map((l) => JSON.parse(l).reason as string)
      .sort();
    expect(logged).toEqual(report.collected.dlq.map((m) => m.attributes.reason).sort());
  });
});

describe('security', () => {
  it('never lets a message change where requests go', () => {
    expect(foreignRequests).toBe(0);
    const statusRequests = report.collected.simRequests.filter((r) => r.path.startsWith(JOB_STATUS_PATH));
    expect(statusRequests.length).toBe(report.alationCalls);
    for (const r of statusRequests) expect(r.path).toMatch(/^\/api\/v1\/bulk_metadata\/job\/\?(id=\d+|name=[^&#/?]+)$/);
    // Names that look like URLs are looked up by name, encoded exactly once.
    for (const name of urlLikeJobNames(foreignUrl)) {
      expect(statusRequests.map((r) => r.path)).toContain(`${JOB_STATUS_PATH}?name=${encodeURIComponent(name)}`);
    }
  });

  it('never writes the token into a log line, an error, an outcome, a re-sent or a DLQ message', () => {
    expect(report.tokenLeaks).toEqual([]);
    expect(report.collected.logLines.length).toBeGreaterThan(0);
  });

  it.each(['http://alation.example.com', 'http://10.0.0.5', 'http://127.0.0.1.nip.io', 'http://localhost.example.com', 'ftp://127.0.0.1'])(
    'refuses %s as the Alation base URL',
    (url) => {
      expect(() => loadConfig({ ...env, ALATION_BASE_URL: url })).toThrow(/ALATION_BASE_URL: must use https:\/\//);
    },
  );

  it.each(['https://alation.example.com', 'http://127.0.0.1:8900', 'http://localhost:8900', 'http://[::1]:8900'])('accepts %s', (url) => {
    expect(() => loadConfig({ ...env, ALATION_BASE_URL: url })).not.toThrow();
  });
});

describe('invalid configuration at cold start', () => {
  it('fails the start of the local stack naming every bad variable', async () => {
    const error = await startLocalJobWatch({
      alationBaseUrl: 'http://alation.example.com',
      tokenSecretValue: 'token',
      tunables: { POLL_MAX_DELAY_SECONDS: '901', MAX_WATCH_SECONDS: 'soon' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.field).sort()).toEqual(['MAX_WATCH_SECONDS', 'POLL_MAX_DELAY_SECONDS']);
  });

  it('fails the import of the real handler with the variable names, never starting half-configured', async () => {
    vi.resetModules();
    const saved = { ...process.env };
    for (const key of Object.keys(env)) delete process.env[key];
    process.env.ALATION_BASE_URL = 'http://alation.example.com';
    try {
      await expect(import('../../functions/job-status/handler')).rejects.toThrow(
        /invalid configuration: .*ALATION_TOKEN_SECRET_ID: is required/,
      );
    } finally {
      process.env = saved;
    }
  });
});
