import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlationJobWatch } from '../../infra/alation-job-watch';
import { CFN_GUARD_PLUGIN } from '../../infra/guardrails';
import { AlationJobWatchStack, type AlationJobWatchStackProps } from '../../infra/job-watch-stack';
import { LOOKUP_ENV, VPC_ID, VPC_LOOKUP_CONTEXT, watchProps } from './helpers';

// AWS Control Tower's proactive controls, as cfn-guard rules shipped by
// @cdklabs/cdk-validator-cfnguard, run on the synthesized template through CDK's policy
// validation plugin interface: synthesis fails on any violation not acknowledged with a reason.

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function guardedApp(): App {
  const outdir = mkdtempSync(join(tmpdir(), 'guard-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    // A JSON copy of the report, to name the violations in a failure.
    context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validationReportJson': true, ...VPC_LOOKUP_CONTEXT },
  });
  Validations.of(app).addPlugins(new CfnGuardValidator());
  return app;
}

/**
 * The violations cfn-guard reports and CDK does not find acknowledged, as "CT.X.PR.n at path",
 * read from the report CDK writes. Not from whether synth threw: CDK 2.276 marks a plugin
 * report successful as soon as the app acknowledges anything, because cfn-guard's violations
 * carry no severity; the report still lists each unacknowledged resource.
 */
function violations(app: App): string[] {
  try {
    const assembly = app.synth();
    // CDK skips policy validation while lookups are missing: make that a failure, not a pass.
    expect(assembly.manifest.missing ?? []).toEqual([]);
  } catch (error) {
    if (!/Validation failed|ERROR \[CT\./.test((error as Error).message)) throw error;
  }
  const report = JSON.parse(readFileSync(join(app.outdir, 'policy-validation-report.json'), 'utf8')) as {
    pluginReports: {
      summary: { pluginName: string };
      violations: { ruleName: string; description?: string; violatingResources: { constructPath?: string; templatePath: string; resourceLogicalId: string }[] }[];
    }[];
  };
  expect(report.pluginReports.map((p) => p.summary.pluginName)).toContain(CFN_GUARD_PLUGIN);
  return report.pluginReports.flatMap((p) =>
    p.violations.flatMap((v) =>
      v.violatingResources.map(
        (r) => `${/\[(CT\.[A-Z0-9.]+)\]/.exec(v.description ?? '')?.[1] ?? v.ruleName} at ${r.constructPath ?? `${r.templatePath.replace(/\.template\.json$/, '')}/${r.resourceLogicalId}`}`,
      ),
    ),
  );
}

/** cfn-guard acknowledgements in the tree: rule id → reason. */
function acknowledgedControls(scope: IConstruct): Record<string, string[]> {
  const acks: Record<string, string[]> = {};
  for (const c of scope.node.findAll()) {
    for (const m of c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
      for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
        if (id.includes(CFN_GUARD_PLUGIN)) (acks[id.replace(/^.*::/, '')] ??= []).push(reason);
      }
    }
  }
  return acks;
}

const SUBSCRIBERS = {
  notifyEmails: ['team@example.com', { endpoint: 'oncall@example.com', filter: { statuses: ['failed' as const] } }],
  webhookUrls: [{ endpoint: 'https://hooks.example.com/alation', filter: { hasErrors: true } }],
  alarmEmails: ['ops@example.com'],
};

function stack(app: App, id: string, props: Partial<AlationJobWatchStackProps> = {}): AlationJobWatchStack {
  return new AlationJobWatchStack(app, id, { ...watchProps(), ...props });
}

// One app holds every variant, so cfn-guard (seconds of CPU per run) runs once for all.
const app = guardedApp();
const defaults = stack(app, 'Defaults');
stack(app, 'Subscribers', SUBSCRIBERS);
const private_ = stack(app, 'Private', { ...SUBSCRIBERS, env: LOOKUP_ENV, vpcId: VPC_ID, vpcEndpoints: true, logGroupKmsKey: 'create' });
const optedOut = stack(app, 'OptedOut', { logRetention: logs.RetentionDays.ONE_MONTH, pointInTimeRecovery: false });
const host = new Stack(app, 'Host');
const vpc = new ec2.Vpc(host, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
new AlationJobWatch(host, 'Watch', watchProps({ vpc, vpcEndpoints: true, roleNamePrefix: 'app-', logGroupEncryptionKey: 'create' }));
const plain = new Stack(app, 'Plain');
new sqs.Queue(plain, 'Queue');
new logs.LogGroup(plain, 'Logs', { retention: logs.RetentionDays.ONE_DAY });

let found: string[] = [];
beforeAll(() => {
  found = violations(app);
}, 300_000);
const of = (stackName: string) => found.filter((v) => v.includes(` at ${stackName}/`));

describe('AWS Control Tower proactive controls (cfn-guard)', () => {
  it('passes the default stack, acknowledging only the VPC and log-key controls, each with its reason', () => {
    expect(of('Defaults')).toEqual([]);
    const acks = acknowledgedControls(defaults);
    expect(Object.keys(acks).sort()).toEqual(['cloudwatch_log_group_encrypted_check', 'lambda_inside_vpc_check']);
    for (const reasons of Object.values(acks)) for (const reason of reasons) expect(reason).toMatch(/^CT\.[A-Z]+\.PR\.\d+: .{60,}/);
  });

  it('passes the stack with email and webhook subscribers and their dead-letter queues', () => {
    expect(of('Subscribers')).toEqual([]);
  });

  it('passes with nothing acknowledged when the function runs in a VPC with endpoints and its logs have a key', () => {
    expect(of('Private')).toEqual([]);
    expect(acknowledgedControls(private_)).toEqual({});
  });

  it('acknowledges shorter log retention and no point-in-time recovery only when they are chosen', () => {
    expect(of('OptedOut')).toEqual([]);
    expect(Object.keys(acknowledgedControls(optedOut)).sort()).toEqual([
      'cloudwatch_log_group_encrypted_check',
      'cloudwatch_log_group_retention_period_check',
      'dynamodb_table_pitr_enabled_check',
      'lambda_inside_vpc_check',
    ]);
  });

  it('passes the construct in a host stack with a VPC of its own and role names under a prefix', () => {
    // The VPC is the host's: its own findings (flow logs, ...) are not this construct's.
    expect(of('Host').filter((v) => !v.includes('Host/Vpc/'))).toEqual([]);
  });

  it('reports violations of a non-compliant resource (the check is not vacuous)', () => {
    expect(of('Plain')).toEqual(
      expect.arrayContaining(['CT.SQS.PR.1 at Plain/Queue/Resource', 'CT.CLOUDWATCH.PR.2 at Plain/Logs/Resource', 'CT.CLOUDWATCH.PR.3 at Plain/Logs/Resource']),
    );
  });
});
