/**
 * Runs {@link runHandlerCost} in this process (started on the Lambda runtime's Node.js by
 * `runHandlerCostOnNode`) and sends the result to the parent.
 */
import { runHandlerCost } from './handler-cost.bench';

const options = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof runHandlerCost>[0];
const run = await runHandlerCost(options);
process.send?.({ type: 'result', run });
process.disconnect?.();
