import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { describe, expect, it } from 'vitest';
import { AlationJobWatch } from '../../infra/alation-job-watch';
import { stackPropsFromContext } from '../../infra/context';
import { AlationJobWatchStack } from '../../infra/job-watch-stack';
import { AlationJobWatchConfigError } from '../../infra/validate-props';
import { BASE_URL, fastApp, LOOKUP_ENV, synthConstruct, VPC_ID, VPC_LOOKUP_CONTEXT, watchProps } from './helpers';

type Resources = Record<string, { Properties: Record<string, unknown> }>;

function problems(action: () => unknown): readonly string[] {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AlationJobWatchConfigError);
    return (error as AlationJobWatchConfigError).problems;
  }
  throw new Error('expected a configuration error');
}

function hostWithVpc(): { stack: Stack; vpc: ec2.Vpc } {
  const stack = new Stack(fastApp(), 'Host');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  return { stack, vpc };
}

describe('private network', () => {
  it('runs the function in the given VPC with a new outbound-only security group and the VPC-access policy', () => {
    const { stack, vpc } = hostWithVpc();
    new AlationJobWatch(stack, 'Watch', watchProps({ vpc }));
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('privateSubnet1') }]), SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('FunctionSecurityGroup'), 'GroupId'] }] },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('job-status function'),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: '-1' }],
      SecurityGroupIngress: Match.absent(),
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole']] }],
    });
    expect(template.findResources('AWS::EC2::VPCEndpoint')).toEqual({});
  });

  it('creates interface endpoints for SQS, SNS, Secrets Manager and X-Ray, open to the function only, and a DynamoDB gateway', () => {
    const { stack, vpc } = hostWithVpc();
    new AlationJobWatch(stack, 'Watch', watchProps({ vpc, vpcEndpoints: true }));
    const template = Template.fromStack(stack);
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint') as Resources).map((r) => r.Properties);

    const serviceOf = (e: Record<string, unknown>) => JSON.stringify(e.ServiceName).match(/\.(sqs|sns|secretsmanager|xray|dynamodb)"/)?.[1];
    expect(endpoints.map(serviceOf).sort()).toEqual(['dynamodb', 'secretsmanager', 'sns', 'sqs', 'xray']);
    for (const e of endpoints.filter((e) => e.VpcEndpointType === 'Interface')) expect(e.PrivateDnsEnabled).toBe(true);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('FunctionSecurityGroup'), 'GroupId'] },
    });
    // `open: false`: no rule admitting the whole VPC CIDR.
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroup', { SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: Match.anyValue() })]) }, 0);
  });

  it('uses given subnets and security groups', () => {
    const { stack, vpc } = hostWithVpc();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0');
    new AlationJobWatch(stack, 'Watch', watchProps({ vpc, vpcSubnets: { subnets: [vpc.isolatedSubnets[1]!] }, securityGroups: [sg] }));

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: [{ Ref: Match.stringLikeRegexp('privateSubnet2') }], SecurityGroupIds: ['sg-0123456789abcdef0'] },
    });
  });

  it('looks the VPC up by id in the app stack, with the given subnet and security group ids', () => {
    const stack = new AlationJobWatchStack(fastApp(VPC_LOOKUP_CONTEXT), 'S', {
      ...watchProps(),
      env: LOOKUP_ENV,
      vpcId: VPC_ID,
      subnetIds: ['subnet-0bbbbbbbbbbbbbbb2'],
      securityGroupIds: ['sg-0123456789abcdef0'],
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: ['subnet-0bbbbbbbbbbbbbbb2'], SecurityGroupIds: ['sg-0123456789abcdef0'] },
    });
  });

  it('refuses network options without a VPC, a VPC id in an environment-agnostic stack, and malformed ids', () => {
    expect(problems(() => synthConstruct({ vpcEndpoints: true, securityGroups: [] }))).toEqual([
      'securityGroups applies only with vpc',
      'vpcEndpoints applies only with vpc',
      'securityGroups is empty; leave it out for a new group',
    ]);
    expect(problems(() => new AlationJobWatchStack(fastApp(), 'S', { ...watchProps(), vpcId: VPC_ID }))[0]).toMatch(/^vpcId needs the account and region/);
    expect(problems(() => new AlationJobWatchStack(fastApp(), 'S', { ...watchProps(), vpcId: 'vpc-x', subnetIds: ['sub'] }))).toEqual([
      'vpcId must look like vpc-0123456789abcdef0 (got "vpc-x")',
      'subnetIds has "sub", not a subnet id',
    ]);
  });

  it('reads the network, boundary, prefix, CA and log key from context', () => {
    const props = stackPropsFromContext(
      fastApp({
        alationBaseUrl: BASE_URL,
        vpcId: VPC_ID,
        subnetIds: 'subnet-0aaaaaaaaaaaaaaa1, subnet-0bbbbbbbbbbbbbbb2',
        securityGroupIds: '["sg-0123456789abcdef0"]',
        vpcEndpoints: 'true',
        pointInTimeRecovery: false,
        permissionsBoundaryPolicy: 'org-boundary',
        roleNamePrefix: 'app-',
        logGroupKmsKey: 'create',
      }).node,
    );

    expect(props).toEqual({
      alationBaseUrl: BASE_URL,
      vpcId: VPC_ID,
      subnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
      securityGroupIds: ['sg-0123456789abcdef0'],
      vpcEndpoints: true,
      pointInTimeRecovery: false,
      permissionsBoundaryPolicy: 'org-boundary',
      roleNamePrefix: 'app-',
      logGroupKmsKey: 'create',
    });
    expect(problems(() => stackPropsFromContext(fastApp({ alationBaseUrl: BASE_URL, vpcEndpoints: 'yes', logGroupKmsKey: 'mine' }).node))).toEqual([
      'context vpcEndpoints must be true or false (got "yes")',
      'logGroupKmsKey must be "create" or a KMS key ARN (got "mine")',
    ]);
  });
});

describe('permission boundary and role names', () => {
  function stackWithCustomResource(props: Parameters<typeof watchProps>[0]): Template {
    const stack = new Stack(fastApp(), 'Host');
    new AlationJobWatch(stack, 'Watch', watchProps(props));
    // A custom resource of the host stack: CDK puts its provider function and role at stack level.
    new cr.AwsCustomResource(stack, 'Lookup', {
      onCreate: { service: 'STS', action: 'GetCallerIdentity', physicalResourceId: cr.PhysicalResourceId.of('x') },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    return Template.fromStack(stack);
  }

  it('puts the boundary on every role of the stack, custom-resource roles included', () => {
    const stack = new Stack(fastApp(), 'Boundary');
    const boundary = iam.ManagedPolicy.fromManagedPolicyName(stack, 'B', 'org-boundary');
    const template = stackWithCustomResource({ rolePermissionsBoundary: boundary, webhookUrls: ['https://hooks.example.com/a'] });
    const roles = Object.values(template.findResources('AWS::IAM::Role') as Resources);

    expect(roles.length).toBeGreaterThanOrEqual(2);
    for (const role of roles) expect(JSON.stringify(role.Properties.PermissionsBoundary)).toContain(':policy/org-boundary');
  });

  it('names every role with the prefix, custom-resource roles included, within 64 characters', () => {
    const template = stackWithCustomResource({ roleNamePrefix: 'app-alation-' });
    const names = Object.values(template.findResources('AWS::IAM::Role') as Resources).map((r) => r.Properties.RoleName as string);

    expect(names.length).toBeGreaterThanOrEqual(2);
    for (const name of names) {
      expect(name).toMatch(/^app-alation-[\w+=,.@-]+$/);
      expect(name.length).toBeLessThanOrEqual(64);
    }
    expect(new Set(names).size).toBe(names.length);
  });

  it('takes the boundary by name or ARN in the app stack', () => {
    const template = Template.fromStack(
      new AlationJobWatchStack(fastApp(), 'S', { ...watchProps(), permissionsBoundaryPolicy: 'arn:aws:iam::111122223333:policy/org-boundary' }),
    );

    template.hasResourceProperties('AWS::IAM::Role', { PermissionsBoundary: 'arn:aws:iam::111122223333:policy/org-boundary' });
  });

  it('refuses a prefix IAM would refuse', () => {
    expect(problems(() => synthConstruct({ roleNamePrefix: 'app/' }))).toEqual([
      'roleNamePrefix must be 1 to 32 of the characters IAM allows in role names (letters, digits, +=,.@_-) (got "app/")',
    ]);
  });
});

describe('private CA', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ca-'));
  const ca = join(dir, 'ca.pem');
  const key = join(dir, 'ca.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', ca, '-days', '2', '-subj', '/CN=Test CA'], { stdio: 'ignore' });

  it('trusts the CA file through NODE_EXTRA_CA_CERTS in the function asset', () => {
    const { template } = synthConstruct({ alationCaCertificatePath: ca });

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NODE_EXTRA_CA_CERTS: '/var/task/alation-ca.pem' }) },
    });
  });

  it('sets no NODE_EXTRA_CA_CERTS without a CA file', () => {
    const { template } = synthConstruct();

    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ NODE_EXTRA_CA_CERTS: Match.absent() }) } });
  });

  it('refuses a missing file, a file without certificates, a private key and a leaf certificate', () => {
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate');
    const leaf = join(dir, 'leaf.pem');
    execFileSync('openssl', ['req', '-x509', '-key', key, '-out', leaf, '-days', '2', '-subj', '/CN=leaf', '-addext', 'basicConstraints=critical,CA:FALSE'], { stdio: 'ignore' });

    expect(problems(() => synthConstruct({ alationCaCertificatePath: join(dir, 'missing.pem') }))[0]).toMatch(/cannot be read \(ENOENT\)$/);
    expect(problems(() => synthConstruct({ alationCaCertificatePath: junk }))[0]).toMatch(/holds no PEM certificate/);
    expect(problems(() => synthConstruct({ alationCaCertificatePath: key }))[0]).toMatch(/holds a private key; give the CA certificate only$/);
    expect(problems(() => synthConstruct({ alationCaCertificatePath: leaf }))[0]).toMatch(/certificate 1 \(CN=leaf\) is not a CA certificate$/);
  });
});
