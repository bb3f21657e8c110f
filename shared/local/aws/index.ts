/**
 * Local, in-process stand-ins for the AWS services alation-job-watch uses: fauxqs (SQS + SNS),
 * dynalite (DynamoDB) and a minimal Secrets Manager. Loopback only, no Docker, no account.
 */
export { startLocalAws, LOCAL_CREDENTIALS, LOCAL_REGION } from './local-aws';
export type { LocalAws, LocalAwsClients, LocalAwsEndpoints, StartLocalAwsOptions } from './local-aws';
export { provisionJobWatch, JobWatchDefaults } from './provision';
export type {
  JobWatchResources,
  ProvisionJobWatchOptions,
  QueueRef,
  SubscribedQueueRef,
  SubscriberQueueOptions,
} from './provision';
export { startSecretsManagerServer, SecretsManagerOperation } from './secrets-manager-server';
export type { SecretsAccessLogEntry, SecretsManagerServer, SecretsManagerServerOptions } from './secrets-manager-server';
export { SecretStore, VersionStage } from './secret-store';
export type { SecretVersion, StoredSecret } from './secret-store';
export { startFauxqsServer, FAUXQS_QUEUE_URL_HOST } from './fauxqs-server';
export type { FauxqsServer, FauxqsServerOptions } from './fauxqs-server';
export { startDynaliteServer } from './dynalite-server';
export type { DynaliteServer, DynaliteServerOptions } from './dynalite-server';
export { LOOPBACK_HOST } from './http-listen';
export { LocalAwsError, LocalEndpointError, ProvisionError, SecretsManagerServiceError } from './errors';
export { startControlPlaneServer } from './control-plane-server';
export type { ControlPlaneServer, LocalAlarm, LocalFunction, LocalMapping, LocalStack } from './control-plane-server';
