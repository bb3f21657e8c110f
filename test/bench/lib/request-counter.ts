import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

/**
 * Counts the AWS API calls this process makes, by operation (`sqs:SendMessage`,
 * `dynamodb:PutItem`, `sns:Publish`, ...), from Node's `http.client.request.start` channel:
 * the SDK's own requests, nothing wrapped or mocked. JSON-protocol services name the
 * operation in `X-Amz-Target`; SNS (query protocol) is counted per request on its port.
 */
export function countAwsRequests(ports: Readonly<Record<string, number>>): { counts: () => Record<string, number>; reset: () => void; stop: () => void } {
  const byPort = new Map(Object.entries(ports).map(([service, port]) => [port, service]));
  let counts: Record<string, number> = {};
  const onStart = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const port = Number(String(request.getHeader('host') ?? '').split(':')[1] ?? Number.NaN);
    const service = byPort.get(port);
    if (service === undefined) return;
    const target = request.getHeader('x-amz-target');
    const key = typeof target === 'string' ? `${service}:${target.split('.').pop()}` : `${service === 'sqsSns' ? 'sns' : service}:${request.method}`;
    counts[key] = (counts[key] ?? 0) + 1;
  };
  diagnostics.subscribe('http.client.request.start', onStart);
  return {
    counts: () => ({ ...counts }),
    reset: () => {
      counts = {};
    },
    stop: () => diagnostics.unsubscribe('http.client.request.start', onStart),
  };
}
