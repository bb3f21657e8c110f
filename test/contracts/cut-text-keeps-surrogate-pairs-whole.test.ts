import { describe, expect, it } from 'vitest';
import { cutText, isSendableText } from '../../shared/contracts/sendable-text';

describe('cutText', () => {
  it('never leaves half of a surrogate pair, whatever the cut', () => {
    const text = `x${'😀'.repeat(20)}y`;
    for (let max = 0; max <= text.length + 1; max++) {
      const cut = cutText(text, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut.length).toBeGreaterThanOrEqual(Math.min(text.length, max) - 1);
      expect(isSendableText(cut)).toBe(true);
      expect(text.startsWith(cut)).toBe(true);
    }
  });

  it('returns short text unchanged', () => {
    expect(cutText('abc', 3)).toBe('abc');
  });
});
