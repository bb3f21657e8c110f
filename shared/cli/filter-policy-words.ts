/** Past this, a description is cut: SNS allows 256 KB policies, a checklist line does not. */
const MAX_CHARS = 600;

/**
 * An SNS filter policy in words, for `doctor`'s checklist: `{"status":["failed"],"kind":["qli"]}`
 * reads "status is failed, and kind is qli". Operators it does not know are shown as JSON,
 * so nothing is hidden. Never throws.
 *
 * @param policy - the subscription's `FilterPolicy` attribute as SNS returns it (a JSON string)
 * @param scope - `FilterPolicyScope`: `MessageAttributes` (the default) or `MessageBody`
 */
export function describeFilterPolicy(policy: string | undefined, scope?: string): string {
  if (policy === undefined || policy.trim() === '') return 'every outcome (no filter policy)';
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    return `a filter policy that is not JSON: ${cut(policy)}`;
  }
  if (!isRecord(parsed)) return `a filter policy that is not an object: ${cut(policy)}`;
  const where = scope === 'MessageBody' ? ' (on the message body)' : '';
  return cut(`only outcomes where ${describeObject(parsed, '')}${where}`);
}

function describeObject(policy: Record<string, unknown>, prefix: string): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(policy)) {
    if (key === '$or' && Array.isArray(value)) {
      parts.push(`either ${value.map((branch) => (isRecord(branch) ? `(${describeObject(branch, prefix)})` : JSON.stringify(branch))).join(' or ')}`);
    } else if (Array.isArray(value)) {
      parts.push(`${prefix}${key} ${value.map(describeCondition).join(' or ')}`);
    } else if (isRecord(value)) {
      parts.push(describeObject(value, `${prefix}${key}.`));
    } else {
      parts.push(`${prefix}${key} ${JSON.stringify(value)}`);
    }
  }
  return parts.join(', and ');
}

function describeCondition(condition: unknown): string {
  if (typeof condition === 'string' || typeof condition === 'number' || typeof condition === 'boolean') return `is ${String(condition)}`;
  if (condition === null) return 'is null';
  if (!isRecord(condition)) return JSON.stringify(condition);
  const [operator, operand] = Object.entries(condition)[0] ?? ['', undefined];
  switch (operator) {
    case 'prefix':
      return `starts with ${JSON.stringify(operand)}`;
    case 'suffix':
      return `ends with ${JSON.stringify(operand)}`;
    case 'equals-ignore-case':
      return `is ${JSON.stringify(operand)} in any case`;
    case 'exists':
      return operand === false ? 'is absent' : 'is present';
    case 'anything-but':
      return `is anything but ${Array.isArray(operand) ? operand.map((o) => JSON.stringify(o)).join(' or ') : isRecord(operand) ? describeCondition(operand).replace(/^is /, '') : JSON.stringify(operand)}`;
    case 'numeric':
      return Array.isArray(operand) ? `is ${operand.map(String).join(' ')}` : JSON.stringify(condition);
    default:
      return JSON.stringify(condition);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cut(text: string): string {
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}…` : text;
}
