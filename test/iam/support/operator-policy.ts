/**
 * The documented operator policy (`docs/operator-policy.json`), filled in for the fake
 * deployment: `${Partition}`, `${Region}`, `${Account}`, `${StackName}`, and `${<Output>}` for
 * each output of the stack (JobQueueArn, TokenSecretArn, …), exactly as an operator fills it
 * in from `aws cloudformation describe-stacks`.
 */
import { readFileSync } from 'node:fs';
import { DeployedTemplate, FAKE_ACCOUNT, FAKE_REGION, FAKE_STACK_NAME } from './deployed-template';
import type { PolicyDocument, Principal } from './policies';

export const OPERATOR_POLICY_FILE = new URL('../../../docs/operator-policy.json', import.meta.url);

/** The operator policy with every placeholder replaced. @throws naming a placeholder with no value. */
export function operatorPrincipal(template: DeployedTemplate): Principal {
  const values: Record<string, string> = { Partition: 'aws', Region: FAKE_REGION, Account: FAKE_ACCOUNT, StackName: FAKE_STACK_NAME };
  const outputs = template.template.Outputs ?? {};
  const text = readFileSync(OPERATOR_POLICY_FILE, 'utf8').replace(/\$\{(\w+)\}/g, (_m, name: string) => {
    const value = values[name] ?? (outputs[name] ? String(template.resolve(outputs[name].Value)) : undefined);
    if (value === undefined) throw new Error(`docs/operator-policy.json: \${${name}} is neither a stack output nor Partition/Region/Account/StackName`);
    return value;
  });
  return {
    arn: `arn:aws:iam::${FAKE_ACCOUNT}:role/alation-job-watch-operator`,
    label: 'the operator policy',
    identityPolicies: [{ name: 'docs/operator-policy.json', policy: JSON.parse(text) as PolicyDocument }],
  };
}
