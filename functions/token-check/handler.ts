/**
 * The daily token check (EventBridge schedule → this function): is the Alation token in the
 * secret still accepted, and how many days until it expires? Emits `TokenValid` and
 * `TokenDaysToExpiry`; the alarms in `infra/token-check.ts` watch them. Wiring only.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '../../shared/aws/client-timeouts';
import { MetricName } from '../../shared/aws/metric-names';
import { createLogger, createMetrics } from '../../shared/aws/observability';
import { checkToken, loadTokenCheckConfig } from '../../shared/aws/token-check';

const config = loadTokenCheckConfig();
const logger = createLogger();
const metrics = createMetrics();
const secrets = new SecretsManagerClient(awsClientConfig());

export const handler = async (): Promise<{ valid: boolean; daysToExpiry: number | null }> => {
  try {
    const result = await checkToken(config, {
      readSecret: async (secretId) => (await secrets.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString,
      metrics: {
        valid: (value) => metrics.addMetric(MetricName.TokenValid, MetricUnit.Count, value),
        daysToExpiry: (days) => metrics.addMetric(MetricName.TokenDaysToExpiry, MetricUnit.Count, days),
      },
      log: { info: (message, extra = {}) => logger.info(message, extra), warn: (message, extra = {}) => logger.warn(message, extra) },
      now: () => new Date(),
    });
    return { valid: result.valid, daysToExpiry: result.daysToExpiry };
  } finally {
    metrics.publishStoredMetrics();
  }
};
