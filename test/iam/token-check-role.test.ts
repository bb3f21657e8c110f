/**
 * Least privilege for the daily token-check function (`infra/token-check.ts`): the deployed
 * handler runs against the Alation simulator and the local Secrets Manager, every call that
 * server received is decided against the function's own role as synthesized, and every grant
 * must be used by one of them or carry a reason below. Its SDK client is built inside the
 * handler module, so the calls are read from the server's access log rather than a middleware.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CfnElement } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_CREDENTIALS, SecretsManagerOperation, startSecretsManagerServer, type SecretsManagerServer } from '../../shared/local/aws';
import { startAlationSimulator, type AlationSimulator } from '../../shared/local/simulator';
import { synthStack } from '../infra/helpers';
import { AwsCallLog, AwsService } from '../support/aws-calls';
import { DeployedTemplate, type CfnTemplate } from './support/deployed-template';
import { evaluate, explainUnused, grantsOf, refusals, unusedGrants, type GrantReason, type Verdict } from './support/evaluate';
import { ResourceMap, iamRequestsOf } from './support/iam-requests';
import { rolePrincipal } from './support/policies';

/** Why the token-check role holds actions its handler never calls. */
const TOKEN_CHECK_GRANT_REASONS: readonly GrantReason[] = [
  { action: 'logs:CreateLogStream', on: 'AlationJobWatchFunctionLogs', reason: "Lambda writes the function's stdout (its metrics as EMF included) to the shared log group with the role; the code never calls CloudWatch Logs" },
  { action: 'logs:PutLogEvents', on: 'AlationJobWatchFunctionLogs', reason: "Lambda writes the function's stdout (its metrics as EMF included) to the shared log group with the role; the code never calls CloudWatch Logs" },
  { action: 'secretsmanager:DescribeSecret', on: 'AlationJobWatchTokenSecret', reason: "granted with GetSecretValue by CDK's grantRead; the check only reads the value" },
];

const REFRESH = 'token-check-role-refresh-token';
const SECRET = 'token-check-role/alation-token';
let sim: AlationSimulator;
let server: SecretsManagerServer;
let verdicts: Verdict[];
let unexplained: { unexplained: string[]; staleReasons: string[] };
const log = new AwsCallLog();

beforeAll(async () => {
  sim = await startAlationSimulator({ refreshTokens: [{ refreshToken: REFRESH, userId: 42 }] });
  server = await startSecretsManagerServer();
  const setup = new SecretsManagerClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  await setup.send(new CreateSecretCommand({ Name: SECRET, SecretString: JSON.stringify({ refreshToken: REFRESH, userId: 42 }) }));
  setup.destroy();
  server.clearAccessLog();

  const env = { ALATION_BASE_URL: sim.url, ALATION_TOKEN_SECRET_ID: SECRET };
  for (const [name, value] of Object.entries({ ...env, AWS_ENDPOINT_URL_SECRETS_MANAGER: server.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' })) {
    vi.stubEnv(name, value);
  }
  // Powertools prints the metrics and logs; they are not what this test reads.
  const quiet = [vi.spyOn(process.stdout, 'write').mockImplementation(() => true), vi.spyOn(process.stderr, 'write').mockImplementation(() => true)];
  try {
    const { handler } = await import('../../functions/token-check/handler');
    expect(await handler()).toMatchObject({ valid: true });
  } finally {
    for (const spy of quiet) spy.mockRestore();
    vi.unstubAllEnvs();
  }
  for (const entry of server.accessLog()) log.push({ service: AwsService.secretsManager, operation: entry.operation, params: entry.secretId === undefined ? {} : { SecretId: entry.secretId } });

  const { stack, template } = synthStack();
  const deployed = new DeployedTemplate(template.toJSON() as CfnTemplate);
  const fn = stack.watch.tokenCheck!.function;
  const role = rolePrincipal(deployed, stack.getLogicalId(fn.role!.node.defaultChild as CfnElement), 'the token-check function role');
  const resources = new ResourceMap(deployed).bindFunctionEnvironment(stack.getLogicalId(fn.node.defaultChild as CfnElement), env);
  verdicts = await evaluate(role, log.calls.flatMap((call) => iamRequestsOf(call, resources)), deployed);
  unexplained = explainUnused(unusedGrants(grantsOf(role, deployed), verdicts), TOKEN_CHECK_GRANT_REASONS);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await sim?.stop();
});

describe('the token-check function role, against every AWS call its handler made', () => {
  it('saw the one call the check makes: reading the token secret', () => {
    expect(log.calls.map((c) => c.operation)).toEqual([SecretsManagerOperation.getSecretValue]);
    expect(verdicts.map((v) => `${v.request.action} on ${v.request.label}`)).toEqual(['secretsmanager:GetSecretValue on AlationJobWatchTokenSecret']);
  });

  it('allows every call', () => {
    expect(refusals(verdicts)).toEqual([]);
  });

  it('grants nothing that no call uses, unless a reason says who does', () => {
    expect(unexplained).toEqual({ unexplained: [], staleReasons: [] });
  });
});
