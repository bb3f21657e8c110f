import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startControlPlaneServer, type ControlPlaneServer } from './control-plane-server';
import { startDynaliteServer } from './dynalite-server';
import { LocalEndpointError } from './errors';
import { startFauxqsServer } from './fauxqs-server';
import { startSecretsManagerServer, type SecretsManagerServer } from './secrets-manager-server';

/**
 * Credentials fauxqs and dynalite accept (they check no signatures). The local Secrets Manager
 * does check them: it accepts only the random credentials of its own run ({@link LocalAws.credentials}).
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/** Fresh credentials for one run of the stand-ins: known only to this process and its clients. */
function randomCredentials(): { readonly accessKeyId: string; readonly secretAccessKey: string } {
  return { accessKeyId: `LOCAL${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64url') };
}

/** Region the stand-ins and the clients use unless told otherwise. */
export const LOCAL_REGION = 'us-east-1';

/** Where each local service listens. SQS and SNS share fauxqs's endpoint. */
export interface LocalAwsEndpoints {
  readonly sqs: string;
  readonly sns: string;
  readonly dynamodb: string;
  readonly secretsManager: string;
  /** CloudFormation, Lambda and CloudWatch share the control-plane stand-in's endpoint. */
  readonly controlPlane: string;
}

/** Real SDK v3 clients pointed at the local endpoints. */
export interface LocalAwsClients {
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly dynamodb: DynamoDBClient;
  readonly secretsManager: SecretsManagerClient;
  readonly cloudFormation: CloudFormationClient;
  readonly lambda: LambdaClient;
  readonly cloudWatch: CloudWatchClient;
}

/** Options of {@link startLocalAws}. */
export interface StartLocalAwsOptions {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Fixed ports, e.g. for `npm start`. @default 0 for each (ephemeral) */
  readonly ports?: { readonly sqsSns?: number; readonly dynamodb?: number; readonly secretsManager?: number; readonly controlPlane?: number };
  /** fauxqs's request log. @default false */
  readonly logger?: boolean;
}

/** The local AWS: fauxqs (SQS + SNS), dynalite (DynamoDB) and the Secrets Manager server. */
export interface LocalAws {
  readonly region: string;
  readonly endpoints: LocalAwsEndpoints;
  /** The Secrets Manager stand-in, for its access log. */
  readonly secretsManager: SecretsManagerServer;
  /** The read-only CloudFormation/Lambda/CloudWatch stand-in `doctor` talks to. */
  readonly controlPlane: ControlPlaneServer;
  /**
   * This run's random credentials: the clients, {@link LocalAws.env} and so the handler sign
   * with them, and the Secrets Manager stand-in refuses any request not signed with them.
   */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * The environment under which SDK v3 clients built with no `endpoint` reach the local
   * services: `AWS_ENDPOINT_URL_<SERVICE>`, region and fake credentials. This is how the Lambda
   * handler, which builds its clients from the environment, is pointed here.
   */
  env(): Record<string, string>;
  /**
   * Sets {@link LocalAws.env} on `target` and returns a function restoring the previous values.
   * @default target process.env
   */
  applyEnv(target?: NodeJS.ProcessEnv): () => void;
  /** Clients with explicit endpoints, built once and destroyed by {@link LocalAws.stop}. */
  clients(): LocalAwsClients;
  /** Destroys the clients and stops every server. */
  stop(): Promise<void>;
}

type Stoppable = { stop(): Promise<void> };

async function stopAll(servers: readonly Stoppable[]): Promise<void> {
  const results = await Promise.allSettled(servers.map((server) => server.stop()));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    throw new LocalEndpointError('local-aws', 'some endpoints did not stop', {
      cause: new AggregateError(failures.map((f) => f.reason)),
    });
  }
}

/**
 * Starts the local AWS stand-ins in this process, on 127.0.0.1, each on its own port.
 * No Docker and no AWS account; everything is in memory and gone after {@link LocalAws.stop}.
 *
 * @example
 * const aws = await startLocalAws();
 * const { sqs } = aws.clients();
 * // ... then, in afterAll:
 * await aws.stop();
 */
export async function startLocalAws(options: StartLocalAwsOptions = {}): Promise<LocalAws> {
  const region = options.region ?? LOCAL_REGION;
  const credentials = randomCredentials();
  const started: Stoppable[] = [];
  let secretsManager: SecretsManagerServer;
  let controlPlane: ControlPlaneServer;
  let endpoints: LocalAwsEndpoints;
  try {
    const fauxqs = await startFauxqsServer({ port: options.ports?.sqsSns ?? 0, region, logger: options.logger ?? false });
    started.push(fauxqs);
    const dynamo = await startDynaliteServer({ port: options.ports?.dynamodb ?? 0 });
    started.push(dynamo);
    secretsManager = await startSecretsManagerServer({ port: options.ports?.secretsManager ?? 0, region, credentials });
    started.push(secretsManager);
    controlPlane = await startControlPlaneServer({ port: options.ports?.controlPlane ?? 0, region });
    started.push(controlPlane);
    endpoints = {
      sqs: fauxqs.endpoint,
      sns: fauxqs.endpoint,
      dynamodb: dynamo.endpoint,
      secretsManager: secretsManager.endpoint,
      controlPlane: controlPlane.endpoint,
    };
  } catch (error) {
    // Do not leave half the stand-ins listening when one fails to start.
    await stopAll(started).catch(() => undefined);
    throw error instanceof LocalEndpointError ? error : new LocalEndpointError('local-aws', 'could not start', { cause: error });
  }

  let clients: LocalAwsClients | undefined;
  let destroyControlPlaneClients = (): void => undefined;
  const common = { region, credentials };

  const env = (): Record<string, string> => ({
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SNS: endpoints.sns,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
    AWS_ENDPOINT_URL_CLOUDFORMATION: endpoints.controlPlane,
    AWS_ENDPOINT_URL_LAMBDA: endpoints.controlPlane,
    AWS_ENDPOINT_URL_CLOUDWATCH: endpoints.controlPlane,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  });

  return {
    region,
    endpoints,
    secretsManager,
    controlPlane,
    credentials,
    env,
    applyEnv(target = process.env) {
      const values = env();
      const previous = Object.fromEntries(Object.keys(values).map((key) => [key, target[key]]));
      Object.assign(target, values);
      return () => {
        for (const [key, value] of Object.entries(previous)) {
          if (value === undefined) delete target[key];
          else target[key] = value;
        }
      };
    },
    clients() {
      if (!clients) {
        // The control-plane clients are built on first use: only doctor's tests need them.
        const controlPlaneClients: { cloudFormation?: CloudFormationClient; lambda?: LambdaClient; cloudWatch?: CloudWatchClient } = {};
        const built = controlPlaneClients;
        clients = {
          sqs: new SQSClient({ ...common, endpoint: endpoints.sqs }),
          sns: new SNSClient({ ...common, endpoint: endpoints.sns }),
          dynamodb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
          secretsManager: new SecretsManagerClient({ ...common, endpoint: endpoints.secretsManager }),
          get cloudFormation() {
            return (built.cloudFormation ??= new CloudFormationClient({ ...common, endpoint: endpoints.controlPlane }));
          },
          get lambda() {
            return (built.lambda ??= new LambdaClient({ ...common, endpoint: endpoints.controlPlane }));
          },
          get cloudWatch() {
            return (built.cloudWatch ??= new CloudWatchClient({ ...common, endpoint: endpoints.controlPlane }));
          },
        };
        destroyControlPlaneClients = () => Object.values(built).forEach((client) => client.destroy());
      }
      return clients;
    },
    async stop() {
      if (clients) {
        for (const client of [clients.sqs, clients.sns, clients.dynamodb, clients.secretsManager]) client.destroy();
        destroyControlPlaneClients();
        clients = undefined;
      }
      await stopAll(started.splice(0));
    },
  };
}
