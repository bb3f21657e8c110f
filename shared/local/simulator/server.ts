import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { answerAdmin } from './adminHandler';
import { InvalidSimulatorOptionsError } from './errors';
import { decideFault, faultResponse, validateFaultOptions, type FaultOptions } from './faults';
import type { IncomingRequest } from './incomingRequest';
import { JobRegistry } from './jobRegistry';
import { answerJobStatus } from './jobStatusHandler';
import { SIMULATOR_PATHS } from './paths';
import { createRandom } from './random';
import { DETAIL_BODIES, jsonResponse, methodNotAllowed } from './responses';
import { StatsRecorder, type SimulatorStats } from './stats';
import { answerCreateAccessToken, answerValidateAccessToken, answerValidateRefreshToken } from './tokenHandler';
import { TokenStore } from './tokenStore';
import type { AddedJob, JobDefinition, RecordedRequest, RefreshTokenGrant, SimResponse } from './types';

/** Alation's default API access token lifespan (24 hours). */
export const DEFAULT_ACCESS_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/** Alation's default refresh token lifespan (60 days). */
export const DEFAULT_REFRESH_TOKEN_TTL_MS = 60 * 24 * 60 * 60 * 1000;

/** Loopback only: the simulator has unauthenticated admin endpoints. */
const HOST = '127.0.0.1';

/** Request bodies are tiny JSON documents; anything bigger is a client bug, not a scenario. */
const MAX_BODY_BYTES = 1024 * 1024;

/** How to start an {@link AlationSimulator}. */
export interface SimulatorOptions {
  /** Port on 127.0.0.1. @default 0 (an ephemeral port; read it from `url`) */
  readonly port?: number;
  /** Static access tokens accepted in the `TOKEN` header. @default one random token, see `accessToken` */
  readonly accessTokens?: readonly string[];
  /** Refresh tokens accepted by `createAPIAccessToken`. @default none */
  readonly refreshTokens?: readonly RefreshTokenGrant[];
  /**
   * Lifetime of every access token (static ones from start-up or rotation, minted ones from
   * minting); expired tokens get 401.
   * @default 86_400_000 (Alation's 24 hours)
   */
  readonly accessTokenTtlMs?: number;
  /** Lifetime of a refresh token that sets no `expiresAtMs`. @default 60 days (Alation's) */
  readonly refreshTokenTtlMs?: number;
  /** Jobs to register at start-up (they start running then). @default none */
  readonly jobs?: readonly JobDefinition[];
  /** Faults injected into job-status requests. @default none */
  readonly faults?: FaultOptions;
  /** Seed of the fault schedule. @default 1 */
  readonly seed?: number;
  /** Clock for job progress and token expiry (not for latency, which really waits). @default Date.now */
  readonly now?: () => number;
}

/** A running simulator. */
export interface AlationSimulator {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  readonly url: string;
  /** The static access token to send now (changes on rotation). */
  readonly accessToken: string;
  /** Registers a job; it starts running now. @throws InvalidJobDefinitionError */
  addJob(definition: JobDefinition): AddedJob;
  /** Revokes the static access token(s) and returns the new one. */
  rotateAccessToken(): string;
  /** Revokes a refresh token and the access tokens minted from it. @returns whether it was known */
  revokeRefreshToken(refreshToken: string): boolean;
  /** Moves a refresh token's expiry (ms since the epoch). @returns whether it was known */
  setRefreshTokenExpiry(refreshToken: string, expiresAtMs: number): boolean;
  stats(): SimulatorStats;
  /** Every request received, oldest first (headers included, so tests can assert on them). */
  readonly requests: readonly RecordedRequest[];
  /** Closes the server and every connection, held ones included. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts a local stand-in for Alation's Job Status API (plus `createAPIAccessToken` and a few
 * admin endpoints) on 127.0.0.1.
 *
 * @example
 * const simulator = await startAlationSimulator({ jobs: [{ id: 1, durationMs: 200, preset: 'qli' }] });
 * await fetch(`${simulator.url}/api/v1/bulk_metadata/job/?id=1`, { headers: { TOKEN: simulator.accessToken } });
 * await simulator.stop();
 * @throws InvalidSimulatorOptionsError or InvalidJobDefinitionError before listening
 */
export async function startAlationSimulator(options: SimulatorOptions = {}): Promise<AlationSimulator> {
  validateOptions(options);
  const now = options.now ?? Date.now;
  const faults = options.faults ?? {};
  const random = createRandom(options.seed ?? 1);
  const jobs = new JobRegistry(now);
  const tokens = new TokenStore({
    accessTokens: options.accessTokens ?? [randomUUID()],
    refreshTokens: options.refreshTokens ?? [],
    accessTokenTtlMs: options.accessTokenTtlMs ?? DEFAULT_ACCESS_TOKEN_TTL_MS,
    refreshTokenTtlMs: options.refreshTokenTtlMs ?? DEFAULT_REFRESH_TOKEN_TTL_MS,
    now,
    newToken: randomUUID,
  });
  options.jobs?.forEach((definition, index) => jobs.add(definition, `jobs.${index}`));

  const stats = new StatsRecorder();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const stopping = new AbortController();
  const snapshot = (): SimulatorStats => stats.snapshot(jobs.summaries());
  const rotateAccessToken = (): string => tokens.rotate();

  const send = (res: ServerResponse, answer: SimResponse): void => {
    if (stopping.signal.aborted || res.destroyed) return;
    stats.status(answer.status);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };

  const handleJobStatus = async (request: IncomingRequest, res: ServerResponse): Promise<void> => {
    const decision = decideFault(random, faults);
    if (decision.latencyMs > 0) {
      stats.fault('latency');
      try {
        await delay(decision.latencyMs, undefined, { signal: stopping.signal });
      } catch {
        return; // stopped while waiting: the socket is gone
      }
    }
    if (decision.fault === undefined) {
      send(res, answerJobStatus(request, { jobs, tokens }, 'poll'));
      return;
    }
    stats.fault(decision.fault);
    const answer = faultResponse(decision.fault, decision, faults, () => answerJobStatus(request, { jobs, tokens }, 'peek').body);
    // 'hold': never answer; stop() destroys the socket if the client has not given up by then.
    if (answer !== 'hold') send(res, answer);
  };

  const route = async (request: IncomingRequest, res: ServerResponse): Promise<void> => {
    const { pathname } = request.url;
    if (pathname === SIMULATOR_PATHS.jobStatus) {
      if (request.method !== 'GET') return send(res, methodNotAllowed(request.method, 'GET'));
      return handleJobStatus(request, res);
    }
    if (pathname === SIMULATOR_PATHS.createAccessToken) {
      if (request.method !== 'POST') return send(res, methodNotAllowed(request.method, 'POST'));
      return send(res, answerCreateAccessToken(request, tokens));
    }
    if (pathname === SIMULATOR_PATHS.validateRefreshToken || pathname === SIMULATOR_PATHS.validateAccessToken) {
      if (request.method !== 'POST') return send(res, methodNotAllowed(request.method, 'POST'));
      return send(res, pathname === SIMULATOR_PATHS.validateRefreshToken ? answerValidateRefreshToken(request, tokens) : answerValidateAccessToken(request, tokens));
    }
    const admin = answerAdmin(request, { jobs, stats: snapshot, rotateAccessToken });
    send(res, admin ?? jsonResponse(404, DETAIL_BODIES.notFound));
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let body: string;
    try {
      body = await readBody(req);
    } catch {
      req.socket.destroy(); // aborted or oversized upload: nothing sensible to answer
      return;
    }
    const rawPath = req.url ?? '/';
    const request: IncomingRequest = {
      method: req.method ?? 'GET',
      url: new URL(rawPath, `http://${HOST}`),
      headers: { ...req.headers },
      body,
    };
    requests.push({ method: request.method, path: rawPath, headers: request.headers, body });
    stats.request(request.url.pathname);
    try {
      await route(request, res);
    } catch {
      // No error details in the body: they could carry request data such as tokens.
      send(res, { status: 500, headers: { 'Content-Type': 'text/plain' }, body: 'Simulator error' });
    }
  };

  const server = createServer((req, res) => void onRequest(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: HOST }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  let stopped: Promise<void> | undefined;
  return {
    url: `http://${HOST}:${port}`,
    get accessToken() {
      return tokens.current;
    },
    addJob: (definition) => jobs.add(definition),
    rotateAccessToken,
    revokeRefreshToken: (token) => tokens.revokeRefreshToken(token),
    setRefreshTokenExpiry: (token, at) => tokens.setRefreshTokenExpiry(token, at),
    stats: snapshot,
    requests,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        stopping.abort();
        server.close(() => resolve());
        // close() alone waits for keep-alive and held sockets; end them now.
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return stopped;
    },
  };
}

function validateOptions(options: SimulatorOptions): void {
  const { port, accessTokenTtlMs, accessTokens } = options;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    throw new InvalidSimulatorOptionsError('port must be an integer from 0 to 65535');
  }
  if (accessTokenTtlMs !== undefined && !(Number.isFinite(accessTokenTtlMs) && accessTokenTtlMs > 0)) {
    throw new InvalidSimulatorOptionsError('accessTokenTtlMs must be a positive number');
  }
  if (accessTokens !== undefined && (accessTokens.length === 0 || accessTokens.some((token) => token === ''))) {
    throw new InvalidSimulatorOptionsError('accessTokens must hold at least one non-empty token');
  }
  validateFaultOptions(options.faults ?? {});
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new RangeError('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
