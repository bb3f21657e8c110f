/**
 * Decides recorded requests with an IAM policy simulator (`@cloud-copilot/iam-simulate`:
 * identity policies, permissions boundary, resource policies, conditions, as IAM evaluates
 * them), and lists what a principal is granted but never used.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { DeployedTemplate, FAKE_ACCOUNT, labelOf } from './deployed-template';
import { LEADING_KEYS, type IamRequest } from './iam-requests';
import { DEFAULT_KEY_POLICY, asArray, resourcePolicyOf, type Principal } from './policies';

/** IAM's answer for one distinct request, and how many recorded calls asked it. */
export interface Verdict {
  readonly request: IamRequest;
  /** `Allowed`, `ImplicitlyDenied`, `ExplicitlyDenied`, or the simulator's validation error. */
  readonly decision: string;
  readonly count: number;
}

const keyOf = (r: IamRequest) => `${r.action} ${r.resource} ${JSON.stringify(r.context)}`;

/** Simulates each distinct request once (a run records thousands of calls, a few dozen distinct ones). */
export async function evaluate(principal: Principal, requests: readonly IamRequest[], template: DeployedTemplate): Promise<Verdict[]> {
  const distinct = new Map<string, { request: IamRequest; count: number }>();
  const tested = conditionKeysOf(principal);
  for (const recorded of requests) {
    const request = withoutUntestedItemKeys(recorded, tested);
    const entry = distinct.get(keyOf(request));
    if (entry) entry.count += 1;
    else distinct.set(keyOf(request), { request, count: 1 });
  }
  const verdicts: Verdict[] = [];
  for (const { request, count } of distinct.values()) {
    const logicalId = request.resource === '*' ? undefined : template.logicalIdOfArn(request.resource);
    const resourcePolicy = logicalId ? resourcePolicyOf(template, logicalId) : request.action.startsWith('kms:') ? DEFAULT_KEY_POLICY : undefined;
    const simulation: Simulation = {
      request: {
        principal: principal.arn,
        action: request.action,
        resource: { resource: request.resource, accountId: FAKE_ACCOUNT },
        contextVariables: Object.fromEntries(Object.entries(request.context).map(([k, v]) => [k, typeof v === 'string' ? v : [...v]])),
      },
      identityPolicies: principal.identityPolicies.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      ...(principal.permissionsBoundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: principal.permissionsBoundary }] } : {}),
    };
    const result = await runSimulation(simulation, {});
    const decision = result.resultType === 'error' ? `simulator error: ${JSON.stringify(result.errors)}` : result.overallResult;
    verdicts.push({ request, decision, count });
  }
  return verdicts;
}

/**
 * Context keys that differ from item to item. A run touches thousands of items; when no policy
 * of the principal tests such a key it cannot change a decision, and it is left out so that
 * the requests still fold into a few dozen distinct ones.
 */
const PER_ITEM_CONTEXT_KEYS = [LEADING_KEYS];

/**
 * Every condition key the principal's own policies test (lower case, as IAM compares them).
 * Resource policies are not read: none in the template tests a per-item key.
 */
function conditionKeysOf(principal: Principal): Set<string> {
  const keys = new Set<string>();
  const policies = [...principal.identityPolicies.map((p) => p.policy), ...(principal.permissionsBoundary ? [principal.permissionsBoundary] : [])];
  for (const policy of policies) {
    for (const statement of asArray(policy.Statement)) {
      for (const operator of Object.values(statement.Condition ?? {})) {
        for (const key of Object.keys(operator)) keys.add(key.toLowerCase());
      }
    }
  }
  return keys;
}

function withoutUntestedItemKeys(request: IamRequest, tested: ReadonlySet<string>): IamRequest {
  const drop = PER_ITEM_CONTEXT_KEYS.filter((key) => key in request.context && !tested.has(key.toLowerCase()));
  if (drop.length === 0) return request;
  return { ...request, context: Object.fromEntries(Object.entries(request.context).filter(([key]) => !drop.includes(key))) };
}

/** One line per request IAM would refuse, naming action, resource, and the recorded call. */
export function refusals(verdicts: readonly Verdict[]): string[] {
  return verdicts
    .filter((v) => v.decision !== 'Allowed')
    .map((v) => `${v.request.action} on ${v.request.resource} [${v.request.label}] via ${v.request.via} (×${v.count}): ${v.decision}`)
    .sort();
}

/** One action on one resource pattern, as a statement grants it. */
export interface Grant {
  readonly action: string;
  readonly resource: string;
  /** The resource's logical id without hash, or the pattern itself. */
  readonly label: string;
  readonly policy: string;
}

/** Every (action, resource) an Allow statement of the principal's identity policies grants. */
export function grantsOf(principal: Principal, template: DeployedTemplate): Grant[] {
  const grants: Grant[] = [];
  for (const { name, policy } of principal.identityPolicies) {
    for (const statement of asArray(policy.Statement)) {
      if (statement.Effect !== 'Allow') continue;
      if (statement.NotAction || statement.NotResource) {
        grants.push({ action: 'NotAction/NotResource', resource: JSON.stringify(statement), label: 'broad statement', policy: name });
        continue;
      }
      for (const action of asArray(statement.Action)) {
        for (const resource of asArray(statement.Resource)) {
          const logicalId = resource === '*' ? undefined : template.logicalIdOfArn(resource);
          grants.push({ action, resource, label: logicalId ? labelOf(logicalId) : resource, policy: name });
        }
      }
    }
  }
  return grants;
}

const globToRegExp = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');

/** Grants that no allowed request used. */
export function unusedGrants(grants: readonly Grant[], verdicts: readonly Verdict[]): Grant[] {
  const allowed = verdicts.filter((v) => v.decision === 'Allowed').map((v) => v.request);
  return grants.filter((grant) => {
    const action = globToRegExp(grant.action);
    const resource = globToRegExp(grant.resource);
    return !allowed.some((r) => action.test(r.action) && (resource.test(r.resource) || (r.resource === '*' && grant.resource === '*')));
  });
}

/** Why a granted action is never called by the code under test. */
export interface GrantReason {
  readonly action: string;
  /** The resource's label (logical id without hash), or `*`. */
  readonly on: string;
  readonly reason: string;
}

/**
 * Splits unused grants into those a reason covers and those none does, and lists reasons that
 * cover nothing (the grant was removed, or is now used): both lists must stay empty.
 */
export function explainUnused(unused: readonly Grant[], reasons: readonly GrantReason[]): { unexplained: string[]; staleReasons: string[] } {
  const covers = (reason: GrantReason, grant: Grant) => reason.action.toLowerCase() === grant.action.toLowerCase() && (reason.on === grant.label || reason.on === grant.resource);
  return {
    unexplained: unused.filter((g) => !reasons.some((r) => covers(r, g))).map((g) => `${g.action} on ${g.label} (${g.policy})`).sort(),
    staleReasons: reasons.filter((r) => !unused.some((g) => covers(r, g))).map((r) => `${r.action} on ${r.on}`).sort(),
  };
}
