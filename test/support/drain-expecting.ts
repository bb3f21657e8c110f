import type { SQSClient } from '@aws-sdk/client-sqs';
import { drainQueue, type ReceivedMessage } from '../../shared/local/outcome-collector';

/**
 * Everything on a queue once `expected` messages arrived (or 20 s passed), plus whatever comes in one
 * more second: a message sent one time too many shows up instead of being missed.
 */
export async function drainExpecting(sqs: SQSClient, queueUrl: string, expected: number): Promise<ReceivedMessage[]> {
  const received = await drainQueue(sqs, queueUrl, { until: (r) => r.length >= expected, timeoutMs: 20_000 });
  return [...received, ...(await drainQueue(sqs, queueUrl, { until: () => false, timeoutMs: 1_000 }))];
}
