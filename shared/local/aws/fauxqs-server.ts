import { buildApp } from 'fauxqs';
import { LocalEndpointError } from './errors';
import { LOOPBACK_HOST } from './http-listen';

/**
 * The `host` fauxqs builds queue URLs from (`http://sqs.<region>.<host>:<port>/<account>/<name>`).
 *
 * fauxqs's default host gives `sqs.us-east-1.localhost`, which does not resolve on these
 * machines (`getaddrinfo ENOTFOUND`), and the SQS client sends each request to its queue URL's
 * host whenever no explicit `endpoint` is configured — which is the case for a handler whose
 * clients only see `AWS_ENDPOINT_URL_SQS`. Rather than patching `dns.lookup` for the whole
 * process (`interceptLocalhostDns()`), the host is given a userinfo part: the URL becomes
 * `http://sqs.us-east-1.fauxqs@127.0.0.1:<port>/000000000000/<name>`, whose origin is the
 * loopback endpoint itself. Every client then reaches fauxqs, the SDK sees the same origin as its
 * configured endpoint (no "QueueUrl differs" warning), and fauxqs still finds the queue by the
 * full URL string it handed out.
 */
export const FAUXQS_QUEUE_URL_HOST = `fauxqs@${LOOPBACK_HOST}`;

/** Options of {@link startFauxqsServer}. */
export interface FauxqsServerOptions {
  /** @default 0 (an ephemeral port) */
  readonly port?: number;
  /** Region for resources whose requests carry no SigV4 scope. @default 'us-east-1' */
  readonly region?: string;
  /** fauxqs's request log (pino); noisy in tests. @default false */
  readonly logger?: boolean;
}

/** A running fauxqs: SQS and SNS on one endpoint. */
export interface FauxqsServer {
  /** `http://127.0.0.1:<port>`, for both SQS and SNS clients. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts fauxqs in this process, bound to 127.0.0.1 only.
 *
 * Built from `buildApp` rather than `startFauxqs`, because `startFauxqs` listens on 0.0.0.0
 * (every interface) and the local stand-ins must stay on loopback.
 */
export async function startFauxqsServer(options: FauxqsServerOptions = {}): Promise<FauxqsServer> {
  const app = buildApp({
    logger: options.logger ?? false,
    host: FAUXQS_QUEUE_URL_HOST,
    defaultRegion: options.region ?? 'us-east-1',
  });
  let address: string;
  try {
    address = await app.listen({ port: options.port ?? 0, host: LOOPBACK_HOST });
  } catch (error) {
    await app.close();
    throw new LocalEndpointError('sqs-sns', 'fauxqs did not start', { cause: error });
  }
  return {
    endpoint: new URL(address).origin,
    // fauxqs sets forceCloseConnections and cancels pending long polls in its preClose hook.
    stop: async () => {
      await app.close();
    },
  };
}
