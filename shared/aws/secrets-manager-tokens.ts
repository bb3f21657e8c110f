import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { AlationClient } from '../alation/client';
import { createSecretTokenProvider, type TokenProvider } from './token-provider';

/**
 * The token provider as the function and the CLI build it: the secret read through
 * Powertools' cached SecretsProvider, access tokens minted by the Alation client.
 * `SecretsProvider.get` takes no abort signal: the read is bounded by the client's request
 * timeouts (`awsClientConfig`), and callers stop waiting on their own signal (`getToken`).
 */
export function secretsManagerTokenProvider(secretId: string, client: SecretsManagerClient, alation: AlationClient): TokenProvider {
  const secrets = new SecretsProvider({ awsSdkV3Client: client });
  return createSecretTokenProvider({
    secretId,
    secrets: { get: (id, options) => secrets.get(id, options) },
    mint: (refreshToken, userId) => alation.createAccessToken(refreshToken, userId),
  });
}
