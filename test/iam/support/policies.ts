/**
 * The IAM policies that decide a call, read from the synthesized template: a role's identity
 * policies and permissions boundary, and each resource's own policy (queue, topic, secret,
 * key, table). All intrinsics resolved to the fake deployment (`deployed-template.ts`).
 */
import { DeployedTemplate, FAKE_ACCOUNT, TemplateResolutionError } from './deployed-template';

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly PolicyStatement[] | PolicyStatement;
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Who makes the calls and what their policies allow. */
export interface Principal {
  readonly arn: string;
  /** A label for messages: "the function role", "the operator policy". */
  readonly label: string;
  readonly identityPolicies: readonly { readonly name: string; readonly policy: PolicyDocument }[];
  readonly permissionsBoundary?: PolicyDocument;
}

export const asArray = <T>(value: T | readonly T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? [...value] : [value as T]);

const refersTo = (template: DeployedTemplate, list: unknown, id: string) => asArray(list).some((item) => template.referencedIds(item).includes(id));

/**
 * The policies of the role with this logical id: `AWS::IAM::Policy` and customer managed
 * policies attached to it, its inline policies, and its permissions boundary. A managed policy
 * that is not in the template (an AWS managed one) fails with its ARN: its document cannot be
 * evaluated offline, so add it to the template or to this reader.
 */
export function rolePrincipal(template: DeployedTemplate, roleLogicalId: string, label: string): Principal {
  const role = template.template.Resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new TemplateResolutionError(`${roleLogicalId} is not an AWS::IAM::Role`);
  const properties = role.Properties ?? {};
  const policies: { name: string; policy: PolicyDocument }[] = [];
  for (const [id, p] of template.resourcesOfType('AWS::IAM::Policy')) {
    if (refersTo(template, p.Roles, roleLogicalId)) policies.push({ name: id, policy: template.resolve(p.PolicyDocument) as PolicyDocument });
  }
  for (const [id, p] of template.resourcesOfType('AWS::IAM::ManagedPolicy')) {
    if (refersTo(template, p.Roles, roleLogicalId)) policies.push({ name: id, policy: template.resolve(p.PolicyDocument) as PolicyDocument });
  }
  for (const inline of asArray(properties.Policies as { PolicyName: string; PolicyDocument: unknown }[] | undefined)) {
    policies.push({ name: inline.PolicyName, policy: template.resolve(inline.PolicyDocument) as PolicyDocument });
  }
  for (const arn of asArray(properties.ManagedPolicyArns)) {
    policies.push({ name: String(template.resolve(arn)), policy: managedPolicy(template, arn) });
  }
  const boundary = properties.PermissionsBoundary === undefined ? undefined : managedPolicy(template, properties.PermissionsBoundary);
  return {
    arn: template.attribute(roleLogicalId, 'Arn'),
    label,
    identityPolicies: policies,
    ...(boundary ? { permissionsBoundary: boundary } : {}),
  };
}

function managedPolicy(template: DeployedTemplate, reference: unknown): PolicyDocument {
  const [id] = template.referencedIds(reference);
  const resource = id ? template.template.Resources[id] : undefined;
  if (resource?.Type === 'AWS::IAM::ManagedPolicy') return template.resolve(resource.Properties?.PolicyDocument) as PolicyDocument;
  throw new TemplateResolutionError(
    `managed policy ${JSON.stringify(template.resolve(reference))} is not defined in the template, so it cannot be evaluated offline`,
  );
}

/**
 * AWS's default key policy ("Enable IAM User Permissions"): the account may grant use of the
 * key through IAM. Assumed for keys outside the template (given by ARN), whose real policy
 * cannot be read offline.
 */
export const DEFAULT_KEY_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${FAKE_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
};

/** How each resource type carries its resource policy in a template. */
const RESOURCE_POLICY_SOURCES: readonly { type: string; list: string; document: string }[] = [
  { type: 'AWS::SQS::QueuePolicy', list: 'Queues', document: 'PolicyDocument' },
  { type: 'AWS::SNS::TopicPolicy', list: 'Topics', document: 'PolicyDocument' },
  { type: 'AWS::SecretsManager::ResourcePolicy', list: 'SecretId', document: 'ResourcePolicy' },
];

/** The resource policy of a resource in the template (statements of every policy on it merged), if any. */
export function resourcePolicyOf(template: DeployedTemplate, logicalId: string): PolicyDocument | undefined {
  const resource = template.template.Resources[logicalId];
  if (resource?.Type === 'AWS::KMS::Key') return template.resolve(resource.Properties?.KeyPolicy) as PolicyDocument;
  const statements: PolicyStatement[] = [];
  for (const source of RESOURCE_POLICY_SOURCES) {
    for (const [, p] of template.resourcesOfType(source.type)) {
      if (refersTo(template, p[source.list], logicalId)) statements.push(...asArray((template.resolve(p[source.document]) as PolicyDocument).Statement));
    }
  }
  const tablePolicy = resource?.Type === 'AWS::DynamoDB::Table' ? (resource.Properties?.ResourcePolicy as { PolicyDocument?: unknown } | undefined) : undefined;
  if (tablePolicy?.PolicyDocument) statements.push(...asArray((template.resolve(tablePolicy.PolicyDocument) as PolicyDocument).Statement));
  return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
}
