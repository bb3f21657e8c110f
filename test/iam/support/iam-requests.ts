/**
 * From a recorded AWS call to the IAM requests that authorise it: the action (a batch call is
 * authorised as its single form), the deployed ARN of each resource it names, the context keys
 * AWS adds, and the requests it implies (a move task's reads and writes, the KMS calls a
 * service makes with the caller's permissions on a customer managed key).
 *
 * Local resources (fauxqs URLs, dynalite table names, local secret ARNs) are mapped to the
 * template's resources through what both sides share: the function's environment variables or
 * the stack's outputs. A resource that is in neither is given an ARN in the fake account by its
 * name, and is then allowed only if a policy grants it by name: an unexpected queue or table
 * shows up as a denied request that names it.
 */
import type { AwsCall } from '../../support/aws-calls';
import { DeployedTemplate, FAKE_ACCOUNT, FAKE_REGION, TemplateResolutionError, labelOf } from './deployed-template';

/** One request for IAM to decide. */
export interface IamRequest {
  readonly action: string;
  /** The deployed ARN, or `*` for actions without resource types. */
  readonly resource: string;
  /** Which resource this is, for messages and reasons: the logical id without its hash, or `name (not in the stack)`. */
  readonly label: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  /** The recorded operation, and why this request follows from it when it is implied. */
  readonly via: string;
}

/** The kinds of resource a call names, and how each is written as an ARN in the fake account. */
const ResourceKind = {
  queue: { arn: (name: string) => `arn:aws:sqs:${FAKE_REGION}:${FAKE_ACCOUNT}:${name}` },
  topic: { arn: (name: string) => `arn:aws:sns:${FAKE_REGION}:${FAKE_ACCOUNT}:${name}` },
  table: { arn: (name: string) => `arn:aws:dynamodb:${FAKE_REGION}:${FAKE_ACCOUNT}:table/${name}` },
  secret: { arn: (name: string) => `arn:aws:secretsmanager:${FAKE_REGION}:${FAKE_ACCOUNT}:secret:${name}-AbCdEf` },
  stack: { arn: (name: string) => `arn:aws:cloudformation:${FAKE_REGION}:${FAKE_ACCOUNT}:stack/${name}/00000000-0000-0000-0000-000000000000` },
  function: { arn: (name: string) => `arn:aws:lambda:${FAKE_REGION}:${FAKE_ACCOUNT}:function:${name}` },
} as const;
type ResourceKind = keyof typeof ResourceKind;

/** The resource a queue URL, topic ARN, table name or secret id names, in any of its spellings. */
function nameOf(kind: ResourceKind, identifier: string): string {
  if (kind === 'queue') return identifier.includes('://') ? new URL(identifier).pathname.split('/').pop()! : identifier.split(':').pop()!;
  if (kind === 'topic') return identifier.split(':').pop()!;
  if (kind === 'table') return identifier.includes(':table/') ? identifier.split(':table/')[1]!.split('/')[0]! : identifier;
  if (kind === 'secret') return identifier.startsWith('arn:') ? identifier.split(':secret:')[1]!.replace(/-[A-Za-z0-9]{6}$/, '') : identifier;
  if (kind === 'function') return identifier.startsWith('arn:') ? identifier.split(':')[6]! : identifier;
  return identifier.startsWith('arn:') ? identifier.split('/')[1]! : identifier;
}

/** Which parameters of each service's calls name a resource, and of what kind. */
const RESOURCES_OF_CALL: Readonly<Record<string, (params: Readonly<Record<string, unknown>>, operation: string) => { kind: ResourceKind; id: string }[]>> = {
  sqs: (p) => {
    const id = p.QueueUrl ?? p.SourceArn ?? p.QueueName;
    return id === undefined ? [] : [{ kind: 'queue', id: String(id) }];
  },
  sns: (p) => {
    // A subscription ARN is its topic's ARN plus an id; IAM authorises Unsubscribe on the topic.
    const id = p.TopicArn ?? p.TargetArn ?? (typeof p.SubscriptionArn === 'string' ? p.SubscriptionArn.split(':').slice(0, -1).join(':') : undefined);
    return id === undefined ? [] : [{ kind: 'topic', id: String(id) }];
  },
  dynamodb: (p) => [...(p.TableName ? [p.TableName] : []), ...((p.RequestItems as string[] | undefined) ?? []), ...((p.TransactItems as string[] | undefined) ?? [])].map((t) => ({ kind: 'table' as const, id: String(t) })),
  secretsmanager: (p) => {
    const id = p.SecretId ?? p.Name;
    return id === undefined ? [] : [{ kind: 'secret', id: String(id) }];
  },
  cloudformation: (p) => (p.StackName === undefined ? [] : [{ kind: 'stack', id: String(p.StackName) }]),
  // ListEventSourceMappings has no resource type (Service Authorization Reference, Lambda): its FunctionName is a filter.
  lambda: (p, operation) => (p.FunctionName === undefined || operation === 'ListEventSourceMappings' ? [] : [{ kind: 'function', id: String(p.FunctionName) }]),
};

/** Operations authorised as another action (the batch forms). */
const ACTION_OF_OPERATION: Readonly<Record<string, string>> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
  'sns:PublishBatch': 'sns:Publish',
};

/**
 * Authorisations an operation needs besides its own action, as AWS documents them. A message
 * move task reads and deletes from the source and sends to the destination with the caller's
 * permissions (SQS developer guide, "Configure a dead-letter queue redrive").
 */
const DEPENDENT_ACTIONS: Readonly<Record<string, readonly { action: string; param: string }[]>> = {
  'sqs:StartMessageMoveTask': [
    { action: 'sqs:ReceiveMessage', param: 'SourceArn' },
    { action: 'sqs:DeleteMessage', param: 'SourceArn' },
    { action: 'sqs:GetQueueAttributes', param: 'SourceArn' },
    { action: 'sqs:SendMessage', param: 'DestinationArn' },
  ],
};

/**
 * The KMS calls a service makes with the caller's permissions when a resource is encrypted with
 * a customer managed key: which key property, and which actions each operation needs.
 * AWS managed keys (`alias/aws/…`) need no grant: their key policy allows use through the service.
 */
const KMS_USE: Readonly<Record<string, { readonly keyOf: (p: Record<string, unknown>) => unknown; readonly service: string; readonly actions: Readonly<Record<string, readonly string[]>> }>> = {
  'AWS::SecretsManager::Secret': { keyOf: (p) => p.KmsKeyId, service: 'secretsmanager', actions: { GetSecretValue: ['kms:Decrypt'], PutSecretValue: ['kms:GenerateDataKey'] } },
  'AWS::SQS::Queue': { keyOf: (p) => p.KmsMasterKeyId, service: 'sqs', actions: { SendMessage: ['kms:GenerateDataKey', 'kms:Decrypt'], SendMessageBatch: ['kms:GenerateDataKey', 'kms:Decrypt'], ReceiveMessage: ['kms:Decrypt'] } },
  'AWS::SNS::Topic': { keyOf: (p) => p.KmsMasterKeyId, service: 'sns', actions: { Publish: ['kms:GenerateDataKey', 'kms:Decrypt'], PublishBatch: ['kms:GenerateDataKey', 'kms:Decrypt'] } },
  'AWS::DynamoDB::Table': {
    keyOf: (p) => (p.SSESpecification as { KMSMasterKeyId?: unknown } | undefined)?.KMSMasterKeyId,
    service: 'dynamodb',
    actions: Object.fromEntries(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchWriteItem', 'BatchGetItem'].map((op) => [op, ['kms:Decrypt']])),
  },
};

/** Local identifier → the deployed identifier of the same resource. */
export class ResourceMap {
  private readonly byLocal = new Map<string, { deployed: string; logicalId?: string }>();

  /**
   * @param importedKeys - the customer managed key of each resource that is not in the template
   *   (an existing secret given by ARN with its key), by the resource's deployed ARN.
   */
  constructor(
    readonly template: DeployedTemplate,
    readonly importedKeys: Readonly<Record<string, { readonly keyArn: string; readonly service: string }>> = {},
  ) {}

  /**
   * Binds local values to template expressions that hold the same resource: e.g. the local
   * JOB_QUEUE_URL to the function's JOB_QUEUE_URL (`Ref` of the job queue).
   */
  bind(local: Readonly<Record<string, string>>, templateValues: Readonly<Record<string, unknown>>, source: string): this {
    for (const [key, localValue] of Object.entries(local)) {
      if (!(key in templateValues)) continue;
      const expression = templateValues[key];
      const deployed = this.template.resolve(expression);
      if (typeof deployed !== 'string') throw new TemplateResolutionError(`${source} ${key} does not resolve to a string`);
      const ids = this.template.referencedIds(expression);
      this.byLocal.set(localValue, { deployed, ...(ids.length === 1 ? { logicalId: ids[0] } : {}) });
    }
    return this;
  }

  /** Binds the function's environment (local values) to the same variables in the template. */
  bindFunctionEnvironment(functionLogicalId: string, localEnv: Readonly<Record<string, string>>): this {
    const variables = (this.template.template.Resources[functionLogicalId]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    if (!variables) throw new TemplateResolutionError(`${functionLogicalId} has no environment in the template`);
    return this.bind(localEnv, variables, `${functionLogicalId} environment variable`);
  }

  /** Binds stack output values as the operator sees them locally to the template's outputs. */
  bindOutputs(localOutputs: Readonly<Record<string, string>>): this {
    const outputs = Object.fromEntries(Object.entries(this.template.template.Outputs ?? {}).map(([k, o]) => [k, o.Value]));
    return this.bind(localOutputs, outputs, 'stack output');
  }

  /** The deployed ARN of what a local identifier names, with a label for messages. */
  locate(kind: ResourceKind, localId: string): { arn: string; label: string; logicalId?: string } {
    const name = nameOf(kind, localId);
    const bound = this.byLocal.get(localId) ?? [...this.byLocal.entries()].find(([local]) => nameOf(kind, local) === name)?.[1];
    if (!bound) return { arn: ResourceKind[kind].arn(name), label: `${name} (not in the stack)` };
    const arn = kind === 'queue' || kind === 'table' || kind === 'function' ? ResourceKind[kind].arn(nameOf(kind, bound.deployed)) : bound.deployed;
    return { arn, label: bound.logicalId ? labelOf(bound.logicalId) : bound.deployed, ...(bound.logicalId ? { logicalId: bound.logicalId } : {}) };
  }
}

/** Every request IAM decides for one recorded call. */
export function iamRequestsOf(call: AwsCall, resources: ResourceMap): IamRequest[] {
  const operation = `${call.service}:${call.operation}`;
  const action = ACTION_OF_OPERATION[operation] ?? operation;
  const context = { 'aws:SecureTransport': 'true' };
  const named = RESOURCES_OF_CALL[call.service]?.(call.params, call.operation) ?? [];
  if (named.length === 0) return [{ action, resource: '*', label: '*', context, via: call.operation }];

  const requests: IamRequest[] = [];
  for (const { kind, id } of named) {
    const located = resources.locate(kind, id);
    const leadingKey = kind === 'table' && located.logicalId ? leadingKeyOf(call.params.Key, located.logicalId, resources.template) : undefined;
    const itemContext = leadingKey === undefined ? context : { ...context, [LEADING_KEYS]: [leadingKey] };
    requests.push({ action, resource: located.arn, label: located.label, context: itemContext, via: call.operation });
    if (located.logicalId) requests.push(...kmsRequests(call, located.logicalId, resources.template));
    else if (resources.importedKeys[located.arn]) requests.push(...importedKmsRequests(call, located.arn, resources.importedKeys[located.arn]!));
  }
  for (const dependent of DEPENDENT_ACTIONS[action] ?? []) {
    const id = call.params[dependent.param];
    if (typeof id !== 'string') continue;
    const located = resources.locate('queue', id);
    requests.push({ action: dependent.action, resource: located.arn, label: located.label, context, via: `${call.operation} (a move task ${dependent.action.split(':')[1]}s with the caller's permissions)` });
  }
  return requests;
}

/**
 * The condition key of DynamoDB's fine-grained access: the partition key values of the items a
 * request touches (a single value for the item operations that name a `Key`).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */
export const LEADING_KEYS = 'dynamodb:LeadingKeys';

/** The partition key value of a recorded `Key` (plain, as the document client takes it, or typed, as on the wire). */
function leadingKeyOf(key: unknown, tableLogicalId: string, template: DeployedTemplate): string | undefined {
  if (!key || typeof key !== 'object') return undefined;
  const schema = template.template.Resources[tableLogicalId]?.Properties?.KeySchema as { AttributeName: string; KeyType: string }[] | undefined;
  const hash = schema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
  const value = hash === undefined ? undefined : (key as Record<string, unknown>)[hash];
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const typed = value as { S?: unknown; N?: unknown } | undefined;
  return typeof typed?.S === 'string' ? typed.S : typeof typed?.N === 'string' ? typed.N : undefined;
}

/** The KMS calls on the key of a resource outside the template (same table of uses, by the resource's type). */
function importedKmsRequests(call: AwsCall, arn: string, key: { keyArn: string; service: string }): IamRequest[] {
  const use = Object.values(KMS_USE).find((u) => u.service === key.service);
  return (use?.actions[call.operation] ?? []).map((action) => ({
    action,
    resource: key.keyArn,
    label: key.keyArn,
    context: { 'aws:SecureTransport': 'true', 'kms:ViaService': `${key.service}.${FAKE_REGION}.amazonaws.com` },
    via: `${call.operation} on ${arn} (${key.service} uses its customer managed key with the caller's permissions)`,
  }));
}

function kmsRequests(call: AwsCall, logicalId: string, template: DeployedTemplate): IamRequest[] {
  const resource = template.template.Resources[logicalId]!;
  const use = KMS_USE[resource.Type];
  const actions = use?.actions[call.operation];
  if (!use || !actions) return [];
  const keyExpression = use.keyOf(resource.Properties ?? {});
  if (keyExpression === undefined) return [];
  const key = String(template.resolve(keyExpression));
  if (key.startsWith('alias/aws/') || key.includes(':alias/aws/')) return [];
  const [keyId] = template.referencedIds(keyExpression);
  const keyArn = keyId && template.template.Resources[keyId]?.Type === 'AWS::KMS::Key' ? template.arnOf(keyId) : key;
  if (!keyArn.startsWith('arn:aws:kms:')) throw new TemplateResolutionError(`${logicalId}'s key ${key} is neither an AWS managed key nor a key ARN: resolve it in test/iam/support/iam-requests.ts`);
  return actions.map((action) => ({
    action,
    resource: keyArn,
    label: keyId ? labelOf(keyId) : keyArn,
    context: { 'aws:SecureTransport': 'true', 'kms:ViaService': `${use.service}.${FAKE_REGION}.amazonaws.com` },
    via: `${call.operation} on ${labelOf(logicalId)} (${use.service} uses its customer managed key with the caller's permissions)`,
  }));
}
