import { App, Validations } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stackPropsFromContext } from './context';
import { AlationJobWatchStack } from './job-watch-stack';
import { AlationJobWatchConfigError } from './validate-props';

// Entry point of `npx cdk synth|deploy` (cdk.json). Configuration comes from
// context only; see docs/deploying.md for the keys.
const app = new App();
const stackName: unknown = app.node.tryGetContext('stackName');

try {
  const props = stackPropsFromContext(app.node);
  new AlationJobWatchStack(app, typeof stackName === 'string' && stackName !== '' ? stackName : 'AlationJobWatch', {
    ...props,
    // A VPC is looked up at synth, which needs the account and region the CLI was given.
    ...(props.vpcId ? { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } } : {}),
    description: 'alation-job-watch: watches Alation bulk-API jobs and publishes their outcomes to SNS',
  });
} catch (error) {
  if (!(error instanceof AlationJobWatchConfigError)) throw error;
  // A configuration mistake is not a crash: say what to fix, without a stack trace.
  console.error(`${error.message}\n\nExample: npx cdk deploy -c alationBaseUrl=https://alation.example.com\nAll keys: docs/deploying.md`);
  process.exit(1);
}

// Synthesis fails on any unacknowledged AwsSolutions finding, and on any unacknowledged
// violation of AWS Control Tower's proactive controls (docs/deploying.md, "Control Tower").
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CfnGuardValidator());
