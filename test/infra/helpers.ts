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
