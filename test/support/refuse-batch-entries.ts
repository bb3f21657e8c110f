/** A batch request's entry, as far as refusing it goes. */
interface Entry {
  readonly Id?: string | undefined;
  readonly Message?: string | undefined;
}

/**
 * A batch request (`SendMessageBatch`, `PublishBatch`) with some entries refused alone, the way SQS and
 * SNS report them: the refused entries never reach the service and come back in `Failed`
 * (`InternalError`, not the sender's fault); the others are sent through the middleware's `next`.
 */
export async function refuseBatchEntries<A extends { input: object }, R extends { output: unknown }>(
  args: A,
  next: (args: A) => Promise<R>,
  field: 'Entries' | 'PublishBatchRequestEntries',
  refuse: (entry: Entry) => boolean,
  message = 'injected',
): Promise<R> {
  const input = args.input as Record<string, unknown>;
  const entries = (input[field] ?? []) as Entry[];
  const refused = entries.filter(refuse);
  const kept = entries.filter((e) => !refused.includes(e));
  const failed = refused.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false, Message: message }));
  const result = kept.length > 0 ? await next({ ...args, input: { ...input, [field]: kept } }) : ({ output: { $metadata: {}, Successful: [], Failed: [] }, response: {} } as unknown as R);
  const output = result.output as { Failed?: unknown[] };
  output.Failed = [...(output.Failed ?? []), ...failed];
  return result;
}
