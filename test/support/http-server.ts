import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/** What a test server saw of one request: the exact request line and headers. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The client's port: the same for two requests only when they shared a connection. */
  readonly remotePort: number | undefined;
}

export interface TestServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/** A real HTTP server on loopback, answering with the given route function. */
export async function startTestServer(
  respond: (request: SeenRequest, res: ServerResponse) => void,
): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        remotePort: req.socket.remotePort,
      };
      requests.push(seen);
      respond(seen, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A route: what the server answers to one request. */
export type Route = (request: SeenRequest, res: ServerResponse) => void;

/** A test server for one test file, whose route each test sets (`server.respond = …`). */
export interface ScriptedServer {
  respond: Route;
  readonly url: string;
  readonly requests: SeenRequest[];
}

/**
 * Starts a {@link startTestServer} before the file's tests and closes it after them (registers
 * `beforeAll`/`afterAll`); until a test sets a route it answers 500.
 */
export function scriptedTestServer(): ScriptedServer {
  let server: TestServer | undefined;
  const started = () => {
    if (!server) throw new Error('the scripted test server is used outside its tests');
    return server;
  };
  const scripted: ScriptedServer = {
    respond: (_request, res) => {
      res.writeHead(500);
      res.end();
    },
    get url() {
      return started().url;
    },
    get requests() {
      return started().requests;
    },
  };
  beforeAll(async () => {
    server = await startTestServer((request, res) => scripted.respond(request, res));
  });
  afterAll(() => server?.close());
  return scripted;
}
