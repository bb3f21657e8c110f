/**
 * What the job-status bundle leaves to the Lambda runtime.
 *
 * The AWS SDK v3 clients are bundled (tree-shaken, minified): importing them from the
 * runtime's copy file by file took about twice as long at cold start (BENCHMARKS.md) and
 * ran an SDK version the tests never saw. Left out are only the credential providers that
 * the default chain imports on demand and a Lambda function never reaches (its credentials
 * come from the environment, the first link of the chain): SSO, shared config files,
 * external processes, web identity, container metadata. Should one ever be needed, the
 * runtime's SDK provides it.
 */
export const RUNTIME_PROVIDED_MODULES = [
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/nested-clients',
  '@aws-sdk/token-providers',
] as const;
