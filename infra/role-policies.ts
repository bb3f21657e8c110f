import { Aspects, CfnResource, Names, type IAspect } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/** IAM's limit on role names. https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html */
export const MAX_ROLE_NAME_LENGTH = 64;

const ROLE_TYPE = 'AWS::IAM::Role';

/**
 * Names every role under a scope `prefix` + a unique name from its construct path. Works on
 * raw `CfnResource`s of type `AWS::IAM::Role` too, which is how CDK's own custom-resource
 * providers declare their roles. A role that already has a name with the prefix keeps it.
 */
export class RoleNamePrefix implements IAspect {
  constructor(private readonly prefix: string) {}

  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || node.cfnResourceType !== ROLE_TYPE) return;
    if (node instanceof iam.CfnRole && typeof node.roleName === 'string' && node.roleName.startsWith(this.prefix)) return;
    const name = Names.uniqueResourceName(node, { maxLength: MAX_ROLE_NAME_LENGTH - this.prefix.length, separator: '-' });
    node.addPropertyOverride('RoleName', `${this.prefix}${name}`);
  }
}

/**
 * Applies the organisation's role policies to every role of `scope`: a permissions boundary
 * (CDK's own aspect, which also covers custom-resource roles) and a role-name prefix.
 * Give it the stack: CDK puts custom-resource providers at stack level, outside any construct.
 */
export function applyRolePolicies(scope: IConstruct, options: { permissionsBoundary?: iam.IManagedPolicy; roleNamePrefix?: string }): void {
  if (options.permissionsBoundary) iam.PermissionsBoundary.of(scope).apply(options.permissionsBoundary);
  if (options.roleNamePrefix) Aspects.of(scope).add(new RoleNamePrefix(options.roleNamePrefix));
}
