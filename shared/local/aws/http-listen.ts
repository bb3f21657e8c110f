import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The only interface the stand-ins listen on: nothing local should be reachable from
 * the network, and `localhost` may resolve to `::1` first on some machines.
 */
export const LOOPBACK_HOST = '127.0.0.1';

/**
 * Listens on the loopback interface and resolves to the endpoint URL.
 *
 * @param port - `0` (the default) asks the OS for a free port, so parallel test files never collide.
 */
export async function listenOnLoopback(server: Server, port = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, LOOPBACK_HOST, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const { port: actualPort } = server.address() as AddressInfo;
  return `http://${LOOPBACK_HOST}:${actualPort}`;
}

/**
 * Closes a server and every socket still open on it.
 *
 * SDK clients keep connections alive; `server.close()` alone would wait for them
 * (vitest then reports open handles), so active connections are dropped too.
 */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
  });
  server.closeAllConnections();
  await closed;
}
