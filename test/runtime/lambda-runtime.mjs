/**
 * A Lambda execution environment for one bundle, in a process of its own, run by the pinned
 * Lambda Node.js (`lambda-runtime-process.ts` spawns it). Plain JavaScript so that the runtime
 * Node loads it as Lambda loads the bundle: no loader, no transpiler.
 *
 *   node lambda-runtime.mjs <path of the bundle's index.mjs>
 *
 * Init: imports the bundle (as Lambda's init phase does) and reports `ready` with the Node
 * version and the init time. Then, per `invoke` message from the parent, calls the exported
 * `handler(event, context)` and answers `result` or `error`. Only one invocation at a time,
 * as in Lambda.
 *
 * Every HTTP request the process sends is reported as `http-request` (the `X-Amz-Target` and
 * content type headers and the body), for the least-privilege check: the SDK clients are built
 * inside the bundle, out of any test's reach, and all of them speak HTTP through node:http
 * (Alation's client uses fetch, which does not). `http.client.request.created` is published
 * when a request is built, before its body is written (Node 24 has it; Node 20 does not).
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { pathToFileURL } from 'node:url';

const send = (message) => process.send?.(message);

diagnosticsChannel.subscribe('http.client.request.created', ({ request }) => {
  const chunks = [];
  const keep = (chunk, encoding) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : Buffer.from(chunk));
  };
  const write = request.write;
  request.write = function (chunk, encoding, callback) {
    keep(chunk, encoding);
    return write.call(this, chunk, encoding, callback);
  };
  const end = request.end;
  request.end = function (chunk, encoding, callback) {
    keep(chunk, encoding);
    send({
      type: 'http-request',
      headers: { 'x-amz-target': request.getHeader('x-amz-target'), 'content-type': request.getHeader('content-type') },
      body: Buffer.concat(chunks).toString('utf8'),
    });
    return end.call(this, chunk, encoding, callback);
  };
});

const unsupported = () => {
  throw new Error('context.done/succeed/fail are not supported on nodejs24.x: return from an async handler');
};

const started = performance.now();
let handler;
try {
  ({ handler } = await import(pathToFileURL(process.argv[2]).href));
  if (typeof handler !== 'function') throw new Error(`${process.argv[2]} exports no handler function`);
} catch (error) {
  send({ type: 'init-error', error: String(error?.stack ?? error) });
  process.exit(1);
}
send({ type: 'ready', node: process.version, initMs: performance.now() - started });

process.on('message', async (message) => {
  if (message?.type !== 'invoke') return;
  const deadline = Date.now() + message.context.remainingMs;
  const context = {
    ...message.context,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
  try {
    send({ type: 'result', id: message.id, response: await handler(message.event, context) });
  } catch (error) {
    send({ type: 'error', id: message.id, error: { name: error?.name ?? 'Error', message: String(error?.message ?? error) } });
  }
});
process.on('disconnect', () => process.exit(0));
