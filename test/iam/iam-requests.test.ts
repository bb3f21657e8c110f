import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { beforeAll, describe, expect, it } from 'vitest';
import { awsCallFromWire, type AwsCall } from '../support/aws-calls';
import { DeployedTemplate, type CfnTemplate } from './support/deployed-template';
import { evaluate } from './support/evaluate';
import { ResourceMap, iamRequestsOf } from './support/iam-requests';
import { rolePrincipal } from './support/policies';

/** A secret encrypted with a customer managed key, and a role that may read it (or only its value). */
function keyedSecret(grant: 'grantRead' | 'secret only') {
  const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Keyed');
  const secret = new secretsmanager.Secret(stack, 'Token', { encryptionKey: new kms.Key(stack, 'Key') });
  const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  if (grant === 'grantRead') secret.grantRead(role);
  else role.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
  const template = new DeployedTemplate(Template.fromStack(stack).toJSON() as CfnTemplate);
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  const resources = new ResourceMap(template).bind({ SECRET: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:local-token-abcdef' }, { SECRET: { Ref: id(secret) } }, 'test');
  return { template, resources, principal: rolePrincipal(template, id(role), 'reader') };
}

let granted: ReturnType<typeof keyedSecret>;
let secretOnly: ReturnType<typeof keyedSecret>;
beforeAll(() => {
  granted = keyedSecret('grantRead');
  secretOnly = keyedSecret('secret only');
}, 60_000);

const getSecret: AwsCall = { service: 'secretsmanager', operation: 'GetSecretValue', params: { SecretId: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:local-token-abcdef' } };

describe('from a recorded call to the IAM requests that authorise it', () => {
  it('authorises a batch call as its single action, on the resource the local name maps to', () => {
    const { resources } = granted;
    const [request] = iamRequestsOf({ service: 'sqs', operation: 'SendMessageBatch', params: { QueueUrl: 'http://sqs.us-east-1.fauxqs@127.0.0.1:1/000000000000/extra' } }, resources);

    expect(request).toMatchObject({ action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:123456789012:extra', label: 'extra (not in the stack)' });
  });

  it('adds the KMS call Secrets Manager makes with the caller’s permissions on a customer managed key', async () => {
    const { template, resources, principal } = granted;
    const requests = iamRequestsOf(getSecret, resources);

    expect(requests.map((r) => [r.action, r.context['kms:ViaService']])).toEqual([
      ['secretsmanager:GetSecretValue', undefined],
      ['kms:Decrypt', 'secretsmanager.us-east-1.amazonaws.com'],
    ]);
    expect((await evaluate(principal, requests, template)).map((v) => v.decision)).toEqual(['Allowed', 'Allowed']);
  });

  it('refuses the read when the role may read the secret but not use its key', async () => {
    const { template, resources, principal } = secretOnly;

    const verdicts = await evaluate(principal, iamRequestsOf(getSecret, resources), template);

    expect(verdicts.map((v) => [v.request.action, v.decision])).toEqual([
      ['secretsmanager:GetSecretValue', 'Allowed'],
      ['kms:Decrypt', 'ImplicitlyDenied'],
    ]);
  });
});

describe('reading an AWS call off the wire', () => {
  it('reads JSON-protocol calls by X-Amz-Target and keeps only the parameters that name resources', () => {
    const call = awsCallFromWire({
      headers: { 'x-amz-target': 'AmazonSQS.SendMessage', 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ QueueUrl: 'http://q/jobs', MessageBody: 'secret-token-in-body' }),
    });

    expect(call).toEqual({ service: 'sqs', operation: 'SendMessage', params: { QueueUrl: 'http://q/jobs' } });
  });

  it('reads query-protocol calls by Action and Version, and batch tables by name', () => {
    expect(awsCallFromWire({ headers: {}, body: 'Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At&Message=x' })).toEqual({
      service: 'sns',
      operation: 'Publish',
      params: { TopicArn: 'arn:aws:sns:us-east-1:1:t' },
    });
    expect(awsCallFromWire({ headers: { 'X-Amz-Target': 'DynamoDB_20120810.BatchWriteItem' }, body: '{"RequestItems":{"a":[{}],"b":[]}}' })).toMatchObject({
      service: 'dynamodb',
      params: { RequestItems: ['a', 'b'] },
    });
  });

  it('records a request it cannot read as unknown, without its body, so the IAM check fails on it', () => {
    const call = awsCallFromWire({ headers: { 'content-type': 'text/plain' }, body: 'token=abc' });

    expect(call).toEqual({ service: 'unknown', operation: 'unrecognised request (text/plain)', params: {} });
  });
});

describe('the fake deployment of a template', () => {
  it('resolves Ref, Fn::GetAtt, Fn::Join and Fn::Sub (with its literal escape) to fake ARNs', () => {
    const template = new DeployedTemplate({ Resources: { Jobs: { Type: 'AWS::SQS::Queue' }, Table: { Type: 'AWS::DynamoDB::Table' } } });

    expect(
      template.resolve({
        a: { 'Fn::GetAtt': ['Jobs', 'Arn'] },
        b: { 'Fn::Join': ['/', [{ Ref: 'AWS::Region' }, { Ref: 'Table' }]] },
        c: { 'Fn::Sub': '${Table.Arn}/index/* ${!Literal} ${AWS::AccountId}' },
        d: [{ Ref: 'AWS::NoValue' }, 'kept'],
      }),
    ).toEqual({
      a: 'arn:aws:sqs:us-east-1:123456789012:Jobs',
      b: 'us-east-1/Table',
      c: 'arn:aws:dynamodb:us-east-1:123456789012:table/Table/index/* ${Literal} 123456789012',
      d: ['kept'],
    });
  });

  it('names what it cannot resolve, and where to add it', () => {
    const template = new DeployedTemplate({ Resources: { Thing: { Type: 'AWS::Pipes::Pipe' } } });

    expect(() => template.resolve({ 'Fn::GetAtt': ['Thing', 'Arn'] })).toThrow('no fake value for AWS::Pipes::Pipe Thing.Arn: add it to FAKE_ATTRIBUTES in test/iam/support/deployed-template.ts');
    expect(() => template.resolve({ 'Fn::If': ['C', 'a', 'b'] })).toThrow('Fn::If is not resolved');
  });
});
