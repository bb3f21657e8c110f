import type { Server } from 'node:http';
import dynalite from 'dynalite';
import { closeServer, listenOnLoopback } from './http-listen';

/** Options of {@link startDynaliteServer}. */
export interface DynaliteServerOptions {
  /** @default 0 (an ephemeral port on 127.0.0.1) */
  readonly port?: number;
}

/** A running in-memory DynamoDB (dynalite). */
export interface DynaliteServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts dynalite in memory on 127.0.0.1.
 *
 * `createTableMs`/`deleteTableMs`/`updateTableMs` are 0: dynalite keeps a new table in
 * CREATING for 500 ms by default, and writes made in that window fail with
 * ResourceNotFoundException, which would make every test wait for ACTIVE.
 */
export async function startDynaliteServer(options: DynaliteServerOptions = {}): Promise<DynaliteServer> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = await listenOnLoopback(server, options.port);
  // dynalite wraps `server.close` to also close its LevelDB store, so closeServer goes through it.
  return { endpoint, stop: () => closeServer(server) };
}
