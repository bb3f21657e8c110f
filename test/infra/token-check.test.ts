import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { makeTestPki } from '../support/tls';
import { synthConstruct } from './helpers';

type Resources = Record<string, { Properties: Record<string, unknown> }>;

describe('the daily token check in AlationJobWatch', () => {
  const { template, watch } = synthConstruct();
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  const checkId = Object.keys(functions).find((id) => id.includes('TokenCheck'))!;

  it('runs a second function every day at 06:00 UTC, with the secret and Alation URL in its environment', () => {
    expect(functions[checkId]?.Properties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Environment: { Variables: { ALATION_BASE_URL: 'https://alation.example.com', ALATION_TOKEN_SECRET_ID: { Ref: expect.stringMatching(/^WatchTokenSecret/) }, TOKEN_WARN_DAYS: '14' } },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 6 * * ? *)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [checkId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 21600 } })],
    });
  });

  it('lets the check read the token secret and nothing else', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources).filter((p) => JSON.stringify(p.Properties.Roles).includes('TokenCheck'));
    const statements = policies.flatMap((p) => (p.Properties.PolicyDocument as { Statement: Array<{ Action: unknown; Resource: unknown }> }).Statement);
    // Its log group's write grant, and the secret: no queue, topic or table.
    expect(statements.map((s) => s.Action)).toEqual([['logs:CreateLogStream', 'logs:PutLogEvents'], ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']]);
    expect(statements[1]?.Resource).toEqual({ Ref: expect.stringMatching(/^WatchTokenSecret/) });
  });

  it('alarms when TokenValid is below 1 (missing data breaching) or TokenDaysToExpiry below 14, over one day, notifying the alarm topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'TokenValid',
      Namespace: 'AlationJobWatch',
      Statistic: 'Minimum',
      Period: 86400,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'TokenDaysToExpiry',
      Threshold: 14,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(Object.keys(watch.alarms)).toEqual(expect.arrayContaining(['TokenInvalid', 'TokenExpiresSoon']));
  });

  it('takes the warning window from tokenWarnDays, and can be left out', () => {
    synthConstruct({ tokenWarnDays: 30 }).template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TokenDaysToExpiry', Threshold: 30 });
    const without = synthConstruct({ tokenCheck: false }).template;
    without.resourceCountIs('AWS::Events::Rule', 0);
    expect(Object.keys(without.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'TokenValid' } }))).toEqual([]);
  });

  it("trusts Alation's private CA as the job-status function does", () => {
    const { caPath } = makeTestPki('TokenCheck');

    const fns = synthConstruct({ alationCaCertificatePath: caPath }).template.findResources('AWS::Lambda::Function') as Resources;

    const check = Object.entries(fns).find(([id]) => id.includes('TokenCheck'))![1];
    expect(check.Properties).toMatchObject({ Environment: { Variables: { NODE_EXTRA_CA_CERTS: '/var/task/alation-ca.pem' } } });
  });

  it('refuses a warning window outside 1–365 days', () => {
    expect(() => synthConstruct({ tokenWarnDays: 0 })).toThrow(/tokenWarnDays must be an integer from 1 to 365/);
  });
});

