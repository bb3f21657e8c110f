import { isSendableText } from './sendable-text';

/**
 * The path (keys and indexes) of the first string in a JSON value, key or value, that SQS or
 * SNS would refuse, or undefined when every string is sendable.
 *
 * A producer's `context` is copied into every re-sent body and every outcome. `JSON.stringify`
 * escapes a lone surrogate but not U+FFFE/U+FFFF, and the email text shows strings as they
 * are, so a string that cannot be sent is refused when the job is enqueued, naming where it is.
 *
 * Iterative (an explicit stack), so a deeply nested value cannot overflow the call stack; it
 * visits each node once and stops after `maxNodes` (the caller bounds the value's size anyway).
 */
export function findUnsendableString(value: unknown, maxNodes = 100_000): (string | number)[] | undefined {
  // Paths are kept as links to the parent, so a deep value costs no copying per node.
  type Step = { readonly key: string | number; readonly parent: Step | undefined };
  const pathOf = (step: Step | undefined): (string | number)[] => {
    const path: (string | number)[] = [];
    for (let at = step; at; at = at.parent) path.push(at.key);
    return path.reverse();
  };
  const stack: { value: unknown; step: Step | undefined }[] = [{ value, step: undefined }];
  for (let visited = 0; stack.length > 0 && visited < maxNodes; visited++) {
    const { value: node, step } = stack.pop()!;
    if (typeof node === 'string') {
      if (!isSendableText(node)) return pathOf(step);
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ value: node[i], step: { key: i, parent: step } });
    } else if (typeof node === 'object' && node !== null) {
      const keys = Object.keys(node);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        if (!isSendableText(key)) return pathOf({ key, parent: step });
        stack.push({ value: (node as Record<string, unknown>)[key], step: { key, parent: step } });
      }
    }
  }
  return undefined;
}
