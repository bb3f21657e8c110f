/**
 * Least privilege, shown on the job-status function: every AWS call the real handler makes in
 * the fast chaos scenarios (faults on both sides, duplicates, bad input, rotation) is recorded
 * by a middleware on its SDK clients and decided by an IAM policy simulator against the
 * function role as synthesized (identity policies, resource policies, conditions). Every call
 * must be allowed; every granted action must be used by a call or explained in
 * `function-role-reasons.ts`. The bundle's run on Node 24 (`test/runtime/`) checks its own
 * calls against the same role.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AwsCallLog } from '../support/aws-calls';
import { expectEveryJobAccountedFor } from '../chaos/support/expect-accounted';
import { fastScenarios } from '../chaos/support/fast-scenarios';
import { FUNCTION_ENV } from '../support/function-env';
import { allowedActions, jobStatusDeployment, judgeFunctionCalls, type FunctionDeployment, type FunctionRoleVerdict } from './support/function-role';

/**
 * Together these take every path that calls AWS (the first test checks it): a refused Publish
 * releases its idempotency record (DeleteItem), a duplicate finds one (GetItem), bad input is
 * dead-lettered, running jobs are re-sent. About 10 s each.
 */
const SCENARIOS = ['sns-publish-failing', 'duplicate-delivery', 'bad-input'] as const;

const scenarios = fastScenarios();
const log = new AwsCallLog();
let deployment: FunctionDeployment;
let verdict: FunctionRoleVerdict;

beforeAll(async () => {
  deployment = jobStatusDeployment();
  for (const name of SCENARIOS) expectEveryJobAccountedFor(await scenarios.run(name, { awsCalls: log }));
  verdict = await judgeFunctionCalls(deployment, log);
}, 240_000);

describe('the job-status function role, against every AWS call the handler made', () => {
  it('saw the calls of every path: token read, re-send, dead-letter, publish, idempotency claim, save and release', () => {
    expect(allowedActions(verdict.verdicts)).toEqual(
      expect.arrayContaining([
        'secretsmanager:GetSecretValue on AlationJobWatchTokenSecret',
        'sqs:SendMessage on AlationJobWatchJobQueue',
        'sqs:SendMessage on AlationJobWatchDeadLetterQueue',
        'sns:Publish on AlationJobWatchOutcomeTopic',
        'dynamodb:PutItem on AlationJobWatchIdempotencyTable',
        'dynamodb:UpdateItem on AlationJobWatchIdempotencyTable',
        'dynamodb:DeleteItem on AlationJobWatchIdempotencyTable',
      ]),
    );
  });

  it('allows every call', () => {
    expect(verdict.refused).toEqual([]);
  });

  it('grants nothing that no call uses, unless a reason says who does', () => {
    expect({ grantedButNeverUsed: verdict.unexplained, reasonsThatExplainNothing: verdict.staleReasons }).toEqual({
      grantedButNeverUsed: [],
      reasonsThatExplainNothing: [],
    });
  });

  it('allows the same calls with an existing token secret and its customer managed key (tokenSecretKmsKeyArn), and refuses the key without it', async () => {
    const existing = {
      tokenSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:team/alation-token-AbCdEf',
      tokenSecretKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    };
    const told = jobStatusDeployment(existing);
    // The same secret (encrypted with that key), but the stack not told about the key.
    const notTold = { ...jobStatusDeployment({ tokenSecretArn: existing.tokenSecretArn }), importedKeys: told.importedKeys };

    const withKey = await judgeFunctionCalls(told, log);
    const withoutKey = await judgeFunctionCalls(notTold, log);

    expect(withKey.refused).toEqual([]);
    expect(allowedActions(withKey.verdicts)).toContain(`kms:Decrypt on ${existing.tokenSecretKmsKeyArn}`);
    expect(withoutKey.refused).toEqual([expect.stringMatching(/^kms:Decrypt on arn:aws:kms:\S+ \[\S+\] via GetSecretValue on \S+ \(secretsmanager uses its customer managed key with the caller's permissions\) \(×\d+\): ImplicitlyDenied$/)]);
  });

  it('refuses calls the role was not built for, naming the action and the resource', async () => {
    const stray = new AwsCallLog();
    stray.addEnvironment(FUNCTION_ENV);
    stray.push({ service: 'sqs', operation: 'SendMessage', params: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/someone-elses-queue' } });
    stray.push({ service: 'dynamodb', operation: 'Scan', params: { TableName: FUNCTION_ENV.IDEMPOTENCY_TABLE_NAME } });
    stray.push({ service: 'secretsmanager', operation: 'PutSecretValue', params: { SecretId: FUNCTION_ENV.ALATION_TOKEN_SECRET_ID } });

    const { refused } = await judgeFunctionCalls(deployment, stray);

    expect(refused).toEqual([
      expect.stringMatching(/^dynamodb:Scan on arn:aws:dynamodb:us-east-1:123456789012:table\/AlationJobWatchIdempotencyTable\w+ \[AlationJobWatchIdempotencyTable\] via Scan \(×1\): ImplicitlyDenied$/),
      expect.stringMatching(/^secretsmanager:PutSecretValue on arn:aws:secretsmanager:\S+ \[AlationJobWatchTokenSecret\] via PutSecretValue \(×1\): ImplicitlyDenied$/),
      'sqs:SendMessage on arn:aws:sqs:us-east-1:123456789012:someone-elses-queue [someone-elses-queue (not in the stack)] via SendMessage (×1): ImplicitlyDenied',
    ]);
  });
});
