/**
 * The synthesized template as IAM would see it once deployed: every `Ref`, `Fn::GetAtt`,
 * `Fn::Join` and `Fn::Sub` resolved to a fake but well-formed ARN in one fake account, so the
 * role's policies, the resource policies and the resources a call names can be compared as
 * strings, the way IAM compares them.
 */
export const FAKE_ACCOUNT = '123456789012';
export const FAKE_REGION = 'us-east-1';
export const FAKE_STACK_NAME = 'AlationJobWatch';

/** The part of a CloudFormation template read here. */
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>>;
  readonly Outputs?: Readonly<Record<string, { readonly Value: unknown }>>;
  readonly Parameters?: Readonly<Record<string, { readonly Default?: unknown }>>;
}

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': FAKE_REGION,
  'AWS::AccountId': FAKE_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': FAKE_STACK_NAME,
  'AWS::StackId': `arn:aws:cloudformation:${FAKE_REGION}:${FAKE_ACCOUNT}:stack/${FAKE_STACK_NAME}/00000000-0000-0000-0000-000000000000`,
};

const R = FAKE_REGION;
const A = FAKE_ACCOUNT;

/**
 * What `Ref` and `Fn::GetAtt` return for each resource type, named after the logical id.
 * A type missing here fails the resolution with its name: add a row.
 */
const FAKE_ATTRIBUTES: Readonly<Record<string, (id: string) => Record<string, string>>> = {
  'AWS::SQS::Queue': (id) => ({ Ref: `https://sqs.${R}.amazonaws.com/${A}/${id}`, QueueUrl: `https://sqs.${R}.amazonaws.com/${A}/${id}`, Arn: `arn:aws:sqs:${R}:${A}:${id}`, QueueName: id }),
  'AWS::SNS::Topic': (id) => ({ Ref: `arn:aws:sns:${R}:${A}:${id}`, TopicArn: `arn:aws:sns:${R}:${A}:${id}`, TopicName: id }),
  'AWS::DynamoDB::Table': (id) => ({ Ref: id, Arn: `arn:aws:dynamodb:${R}:${A}:table/${id}`, StreamArn: `arn:aws:dynamodb:${R}:${A}:table/${id}/stream/1970-01-01T00:00:00.000` }),
  'AWS::SecretsManager::Secret': (id) => ({ Ref: `arn:aws:secretsmanager:${R}:${A}:secret:${id}-AbCdEf`, Id: `arn:aws:secretsmanager:${R}:${A}:secret:${id}-AbCdEf` }),
  'AWS::Logs::LogGroup': (id) => ({ Ref: id, Arn: `arn:aws:logs:${R}:${A}:log-group:${id}:*` }),
  'AWS::KMS::Key': (id) => ({ Ref: id, KeyId: id, Arn: `arn:aws:kms:${R}:${A}:key/${id}` }),
  'AWS::KMS::Alias': (id) => ({ Ref: `alias/${id}` }),
  'AWS::IAM::Role': (id) => ({ Ref: id, Arn: `arn:aws:iam::${A}:role/${id}`, RoleId: `AROA${id}` }),
  'AWS::IAM::ManagedPolicy': (id) => ({ Ref: `arn:aws:iam::${A}:policy/${id}`, PolicyArn: `arn:aws:iam::${A}:policy/${id}` }),
  // CloudFormation names a function it names itself `<stack name>-<logical id>-<suffix>`.
  'AWS::Lambda::Function': (id) => ({ Ref: `${FAKE_STACK_NAME}-${id}`, Arn: `arn:aws:lambda:${R}:${A}:function:${FAKE_STACK_NAME}-${id}` }),
  'AWS::SNS::Subscription': (id) => ({ Ref: `arn:aws:sns:${R}:${A}:topic:${id}` }),
  'AWS::SSM::Parameter': (id) => ({ Ref: id }),
  'AWS::CloudWatch::Dashboard': (id) => ({ Ref: id }),
  'AWS::CloudWatch::Alarm': (id) => ({ Ref: id, Arn: `arn:aws:cloudwatch:${R}:${A}:alarm:${id}` }),
  'AWS::ACMPCA::CertificateAuthority': (id) => ({ Ref: `arn:aws:acm-pca:${R}:${A}:certificate-authority/${id}`, Arn: `arn:aws:acm-pca:${R}:${A}:certificate-authority/${id}` }),
  'AWS::EC2::VPC': (id) => ({ Ref: `vpc-${id}` }),
  'AWS::EC2::SecurityGroup': (id) => ({ Ref: `sg-${id}`, GroupId: `sg-${id}` }),
  'AWS::EC2::Subnet': (id) => ({ Ref: `subnet-${id}` }),
};

/** The property that names a resource of each type, where the construct names it (see {@link DeployedTemplate.attribute}). */
const PHYSICAL_NAME_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::SQS::Queue': 'QueueName',
};

/** Thrown when the template holds something this resolver does not know; the message says what to add. */
export class TemplateResolutionError extends Error {
  override readonly name = 'TemplateResolutionError';
}

/** The template with every intrinsic resolved, and lookups by logical id and by fake ARN. */
export class DeployedTemplate {
  constructor(readonly template: CfnTemplate) {}

  /** `Ref` or `Fn::GetAtt` of a resource, as the fake deployment has it. */
  attribute(logicalId: string, attribute = 'Ref'): string {
    const resource = this.template.Resources[logicalId];
    if (!resource) {
      const parameter = this.template.Parameters?.[logicalId];
      if (attribute === 'Ref' && parameter && typeof parameter.Default === 'string') return parameter.Default;
      throw new TemplateResolutionError(`no resource or parameter ${logicalId} in the template`);
    }
    const fake = FAKE_ATTRIBUTES[resource.Type];
    const value = fake?.(this.physicalNameOf(logicalId) ?? logicalId)[attribute];
    if (value === undefined) {
      throw new TemplateResolutionError(`no fake value for ${resource.Type} ${logicalId}.${attribute}: add it to FAKE_ATTRIBUTES in test/iam/support/deployed-template.ts`);
    }
    return value;
  }

  /**
   * The name the template gives a resource itself (a queue's `QueueName`), which CloudFormation
   * then uses instead of generating one; a fake resource without it is named after its logical id.
   */
  private physicalNameOf(logicalId: string): string | undefined {
    const resource = this.template.Resources[logicalId]!;
    const property = PHYSICAL_NAME_PROPERTY[resource.Type];
    const name = property === undefined ? undefined : resource.Properties?.[property];
    return name === undefined ? undefined : String(this.resolve(name));
  }

  /** The ARN a policy names the resource by (what `Resource` of a statement would hold). */
  arnOf(logicalId: string): string {
    const type = this.template.Resources[logicalId]?.Type;
    // Topics and secrets are referred to by ARN through Ref; the rest have an Arn attribute.
    return type === 'AWS::SNS::Topic' || type === 'AWS::SecretsManager::Secret' ? this.attribute(logicalId) : this.attribute(logicalId, 'Arn');
  }

  /** The logical id whose ARN this is, for labels in messages and reasons. */
  logicalIdOfArn(arn: string): string | undefined {
    for (const id of Object.keys(this.template.Resources)) {
      try {
        if (this.arnOf(id) === arn) return id;
      } catch {
        // not a resource with an ARN
      }
    }
    return undefined;
  }

  /** Resolves every intrinsic function in `value`. `AWS::NoValue` removes the entry. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      if (key === 'Ref') {
        const name = String(arg);
        if (name === 'AWS::NoValue') return NO_VALUE;
        return PSEUDO_PARAMETERS[name] ?? this.attribute(name);
      }
      if (key === 'Fn::GetAtt') {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
        return this.attribute(String(id), String(attribute));
      }
      if (key === 'Fn::Join') {
        const [separator, parts] = arg as [string, unknown[]];
        return (this.resolve(parts) as unknown[]).join(separator);
      }
      if (key === 'Fn::Sub') {
        const [text, variables] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
        return text.replace(/\$\{(!?)([^}]+)\}/g, (_m, literal: string, name: string) => {
          // `${!Name}` is Fn::Sub's escape for a literal `${Name}`.
          if (literal) return `\${${name}}`;
          if (name in variables) return String(this.resolve(variables[name]));
          const [id, attribute] = name.split('.');
          return attribute ? this.attribute(id!, attribute) : String(PSEUDO_PARAMETERS[id!] ?? this.attribute(id!));
        });
      }
      if (key === 'Fn::Select') {
        const [index, list] = arg as [number, unknown];
        return (this.resolve(list) as unknown[])[Number(index)];
      }
      if (key === 'Fn::Split') {
        const [separator, text] = arg as [string, unknown];
        return String(this.resolve(text)).split(separator);
      }
      if (key.startsWith('Fn::')) {
        throw new TemplateResolutionError(`${key} is not resolved by test/iam/support/deployed-template.ts: add it there`);
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]).filter(([, v]) => v !== NO_VALUE));
  }

  /** Logical ids a CloudFormation expression refers to (through Ref or Fn::GetAtt). */
  referencedIds(value: unknown): string[] {
    if (Array.isArray(value)) return value.flatMap((v) => this.referencedIds(v));
    if (!value || typeof value !== 'object') return [];
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string' && this.template.Resources[record.Ref]) return [record.Ref];
    if (record['Fn::GetAtt']) {
      const arg = record['Fn::GetAtt'];
      return [String(Array.isArray(arg) ? arg[0] : String(arg).split('.')[0])];
    }
    return Object.values(record).flatMap((v) => this.referencedIds(v));
  }

  resourcesOfType(type: string): [string, Record<string, unknown>][] {
    return Object.entries(this.template.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([id, r]) => [id, r.Properties ?? {}]);
  }
}

const NO_VALUE = Symbol('AWS::NoValue');

/** A logical id without CDK's 8-character hash, for labels that survive unrelated changes. */
export function labelOf(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, '');
}
