import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AlationJobWatch } from '../../infra/alation-job-watch';
import { AlationJobWatchStack, type AlationJobWatchStackProps } from '../../infra/job-watch-stack';
import type { AlationJobWatchProps } from '../../infra/props';

/** An entry file that exists, for tests that skip bundling (its folder is the asset source). */
export const FIXTURE_ENTRY = fileURLToPath(new URL('./fixtures/handler.ts', import.meta.url));

export const BASE_URL = 'https://alation.example.com';

/**
 * An app that skips bundling and the built-in CloudFormation schema validation
 * (about 3 s per synth): these tests assert the template, not the asset.
 */
export function fastApp(context: Record<string, unknown> = {}): App {
  return new App({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [], ...context },
  });
}

/** Construct props with the required fields filled in. */
export function watchProps(overrides: Partial<AlationJobWatchProps> = {}): AlationJobWatchProps {
  return { alationBaseUrl: BASE_URL, entry: FIXTURE_ENTRY, ...overrides };
}

/** The construct in a plain stack, as an embedding app would use it. */
export function synthConstruct(overrides: Partial<AlationJobWatchProps> = {}): {
  app: App;
  stack: Stack;
  watch: AlationJobWatch;
  template: Template;
} {
  const app = fastApp();
  const stack = new Stack(app, 'Host');
  const watch = new AlationJobWatch(stack, 'Watch', watchProps(overrides));
  return { app, stack, watch, template: Template.fromStack(stack) };
}

/** The app stack. */
export function synthStack(overrides: Partial<AlationJobWatchStackProps> = {}): {
  app: App;
  stack: AlationJobWatchStack;
  template: Template;
} {
  const app = fastApp();
  const stack = new AlationJobWatchStack(app, 'AlationJobWatch', { ...watchProps(), ...overrides });
  return { app, stack, template: Template.fromStack(stack) };
}

/** Account and region of stacks that look a VPC up. */
export const LOOKUP_ENV = { account: '111122223333', region: 'eu-west-1' };
export const VPC_ID = 'vpc-0123456789abcdef0';

/**
 * What `cdk synth` would have cached for `Vpc.fromLookup({ vpcId: VPC_ID })` in LOOKUP_ENV: two
 * private subnets in two AZs. Without it synthesis reports missing context (and CDK skips
 * policy validation).
 */
export const VPC_LOOKUP_CONTEXT = {
  [`vpc-provider:account=${LOOKUP_ENV.account}:filter.vpc-id=${VPC_ID}:region=${LOOKUP_ENV.region}:returnAsymmetricSubnets=true`]: {
    vpcId: VPC_ID,
    vpcCidrBlock: '10.0.0.0/16',
    ownerAccountId: LOOKUP_ENV.account,
    availabilityZones: [],
    subnetGroups: [
      {
        name: 'Private',
        type: 'Private',
        subnets: [
          { subnetId: 'subnet-0aaaaaaaaaaaaaaa1', cidr: '10.0.1.0/24', availabilityZone: 'eu-west-1a', routeTableId: 'rtb-0aaaaaaaaaaaaaaa1' },
          { subnetId: 'subnet-0bbbbbbbbbbbbbbb2', cidr: '10.0.2.0/24', availabilityZone: 'eu-west-1b', routeTableId: 'rtb-0bbbbbbbbbbbbbbb2' },
        ],
      },
    ],
  },
};
