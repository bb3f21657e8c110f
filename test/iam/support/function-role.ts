/**
 * The job-status function's role as the stack deploys it, and the verdict on a run's recorded
 * calls: every call allowed, every grant used or explained (`function-role-reasons.ts`).
 */
import type { CfnElement } from 'aws-cdk-lib';
import type { AwsCallLog } from '../../support/aws-calls';
import type { AlationJobWatchStackProps } from '../../../infra/job-watch-stack';
import { synthStack } from '../../infra/helpers';
import { DeployedTemplate, type CfnTemplate } from './deployed-template';
import { evaluate, explainUnused, grantsOf, refusals, unusedGrants, type Verdict } from './evaluate';
import { FUNCTION_GRANT_REASONS } from '../function-role-reasons';
import { ResourceMap, iamRequestsOf } from './iam-requests';
import { rolePrincipal, type Principal } from './policies';

/** The app stack (default props), its template resolved, the job-status function and its role. */
export interface FunctionDeployment {
  readonly template: DeployedTemplate;
  readonly functionLogicalId: string;
  readonly role: Principal;
  /** Keys of resources outside the template (an existing token secret with its own key). */
  readonly importedKeys?: Readonly<Record<string, { readonly keyArn: string; readonly service: string }>>;
}

/**
 * The stack with default props, or with these (an existing token secret by complete ARN, with
 * its key if given; subscribers, whose dead-letter queues the operator's `replay` reads).
 */
export function jobStatusDeployment(props: Partial<AlationJobWatchStackProps> = {}): FunctionDeployment {
  const existingSecret = props.tokenSecretArn === undefined ? undefined : { tokenSecretArn: props.tokenSecretArn, tokenSecretKmsKeyArn: props.tokenSecretKmsKeyArn };
  const { stack, template } = synthStack(props);
  const deployed = new DeployedTemplate(template.toJSON() as CfnTemplate);
  const fn = stack.watch.function;
  const functionLogicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
  const roleLogicalId = stack.getLogicalId(fn.role!.node.defaultChild as CfnElement);
  const keyArn = existingSecret?.tokenSecretKmsKeyArn;
  return {
    template: deployed,
    functionLogicalId,
    role: rolePrincipal(deployed, roleLogicalId, 'the job-status function role'),
    ...(keyArn ? { importedKeys: { [existingSecret.tokenSecretArn]: { keyArn, service: 'secretsmanager' } } } : {}),
  };
}

/** What IAM makes of a run's calls. Each list is empty when least privilege holds. */
export interface FunctionRoleVerdict {
  readonly verdicts: readonly Verdict[];
  /** Calls the role would be refused: `action on arn [label] via Operation (×n): decision`. */
  readonly refused: readonly string[];
  /** Granted actions no call used and no reason explains. */
  readonly unexplained: readonly string[];
  /** Reasons that explain nothing any more (the grant is gone, or now used). */
  readonly staleReasons: readonly string[];
}

/**
 * Evaluates recorded calls against the function role. The unused-grant lists only mean
 * something for a run that takes every path (the fast scenarios of `test/iam/`, or the full
 * chaos run); a partial run reads `refused` alone.
 */
export async function judgeFunctionCalls(deployment: FunctionDeployment, log: AwsCallLog): Promise<FunctionRoleVerdict> {
  const resources = new ResourceMap(deployment.template, deployment.importedKeys);
  for (const env of log.environments) resources.bindFunctionEnvironment(deployment.functionLogicalId, env);
  const requests = log.calls.flatMap((call) => iamRequestsOf(call, resources));
  const verdicts = await evaluate(deployment.role, requests, deployment.template);
  const unused = unusedGrants(grantsOf(deployment.role, deployment.template), verdicts);
  return { verdicts, refused: refusals(verdicts), ...explainUnused(unused, FUNCTION_GRANT_REASONS) };
}

/** `action on label` for every allowed request, sorted: what a run exercised. */
export function allowedActions(verdicts: readonly Verdict[]): string[] {
  return [...new Set(verdicts.filter((v) => v.decision === 'Allowed').map((v) => `${v.request.action} on ${v.request.label}`))].sort();
}
