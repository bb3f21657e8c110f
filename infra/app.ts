import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stackPropsFromContext } from './context';
import { AlationJobWatchStack } from './job-watch-stack';
import { AlationJobWatchConfigError } from './validate-props';

// Entry point of `npx cdk synth|deploy` (cdk.json). Configuration comes from
// context only; see docs/deploying.md for the keys.
const app = new App();
const stackName: unknown = app.node.tryGetContext('stackName');

try {
  new AlationJobWatchStack(app, typeof stackName === 'string' && stackName !== '' ? stackName : 'AlationJobWatch', {
    ...stackPropsFromContext(app.node),
    description: 'alation-job-watch: watches Alation bulk-API jobs and publishes their outcomes to SNS',
  });
} catch (error) {
  if (!(error instanceof AlationJobWatchConfigError)) throw error;
  // A configuration mistake is not a crash: say what to fix, without a stack trace.
  console.error(`${error.message}\n\nExample: npx cdk deploy -c alationBaseUrl=https://alation.example.com\nAll keys: docs/deploying.md`);
  process.exit(1);
}

// Synthesis fails on any unacknowledged AwsSolutions finding.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
