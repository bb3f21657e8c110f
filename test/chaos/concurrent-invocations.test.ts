/**
 * Lambda Managed Instances run several invocations at once in one Node.js process. Four
 * event source mappings feed one handler instance here, under faults on both sides: every
 * record that failed must be reported by its own invocation (else its message is deleted
 * and the job lost), and every log line must carry its own invocation's request id.
 */
import { describe, expect, it } from 'vitest';
import { expectEveryJobAccountedFor } from './support/expect-accounted';
import { fastScenarios } from './support/fast-scenarios';

const scenarios = fastScenarios();

describe('concurrent invocations of one handler instance', () => {
  it('report each failed record in their own batchItemFailures, lose no job, and log under their own request id', async () => {
    const report = await scenarios.run('concurrent-invocations');
    expectEveryJobAccountedFor(report);
    const { invocations, logLines, faultStats } = report.collected;
    expect(Object.values(faultStats.refused).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    // The invocations did overlap: one request id is not enough to tell them apart.
    expect(invocations.length).toBeGreaterThan(4);
    const byRequest = new Map(invocations.map((i) => [i.requestId, i]));
    const failedLines = logLines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.message === 'record failed: it will be delivered again');
    expect(failedLines.length).toBeGreaterThan(0);

    // Each record that failed was logged under the invocation that had it, and that invocation reported it.
    for (const line of failedLines) {
      const invocation = byRequest.get(String(line.function_request_id));
      expect(invocation?.messageIds).toContain(line.messageId);
      expect(invocation?.failures).toContain(line.messageId);
    }
    // And each invocation reported exactly the records it logged as failed: no more, no fewer.
    for (const invocation of invocations) {
      const logged = failedLines.filter((l) => l.function_request_id === invocation.requestId).map((l) => String(l.messageId));
      expect([...invocation.failures].sort()).toEqual(logged.sort());
    }
  }, 90_000);
});
