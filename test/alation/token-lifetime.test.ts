import { describe, expect, it } from 'vitest';
import { assessTokenLifetime } from '../../shared/alation/token-lifetime';
import type { TokenValidation } from '../../shared/alation/token-validation';

const NOW = new Date('2026-11-29T12:00:00Z');
const DAY_MS = 86_400_000;
const validation = (overrides: Partial<TokenValidation>): TokenValidation => ({ status: 'ACTIVE', expiresAt: null, createdAt: null, lastUsedAt: null, ...overrides });
const inDays = (days: number) => new Date(NOW.getTime() + days * DAY_MS);

describe('assessTokenLifetime', () => {
  it('counts whole days left and needs no attention with 14 or more', () => {
    expect(assessTokenLifetime(validation({ expiresAt: inDays(14.5) }), NOW)).toMatchObject({ valid: true, daysToExpiry: 14, needsAttention: false });
  });

  it('needs attention with fewer days left than the warning window', () => {
    expect(assessTokenLifetime(validation({ expiresAt: inDays(13.9) }), NOW)).toMatchObject({ valid: true, daysToExpiry: 13, needsAttention: true });
    expect(assessTokenLifetime(validation({ expiresAt: inDays(20) }), NOW, 30).needsAttention).toBe(true);
  });

  it('is not valid past its expiry even when Alation still says ACTIVE', () => {
    expect(assessTokenLifetime(validation({ expiresAt: inDays(-0.001) }), NOW)).toMatchObject({ valid: false, daysToExpiry: 0, summary: expect.stringContaining('EXPIRED') });
  });

  it.each(['EXPIRED', 'REVOKED', 'SOMETHING_NEW'])('is not valid with status %s', (status) => {
    expect(assessTokenLifetime(validation({ status, expiresAt: inDays(30) }), NOW)).toMatchObject({ valid: false, needsAttention: true, summary: expect.stringContaining(status) });
  });

  it('is valid with unknown days when Alation gives no expiry', () => {
    expect(assessTokenLifetime(validation({}), NOW)).toMatchObject({ valid: true, daysToExpiry: null, needsAttention: false });
  });
});
