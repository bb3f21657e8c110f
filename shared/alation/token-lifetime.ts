import type { TokenValidation } from './token-validation';

/** Alarm when the refresh token expires within this many days, unless configured otherwise. */
export const DEFAULT_TOKEN_WARN_DAYS = 14;

/** What the token's state means for an operator. */
export interface TokenLifetime {
  /** Alation accepts it now (status ACTIVE and not past its expiry). */
  readonly valid: boolean;
  /** Whole days left, rounded down; 0 once expired; null when Alation gave no expiry. */
  readonly daysToExpiry: number | null;
  /** The alarm's condition: not valid, or within `warnDays` of expiry. */
  readonly needsAttention: boolean;
  /** One sentence for a human, without the token. */
  readonly summary: string;
}

const DAY_MS = 86_400_000;

/**
 * Reads Alation's answer about a token against the clock: pure, so the daily check, `doctor`
 * and the tests share one meaning of "expires soon".
 */
export function assessTokenLifetime(validation: TokenValidation, now: Date, warnDays: number = DEFAULT_TOKEN_WARN_DAYS): TokenLifetime {
  const msLeft = validation.expiresAt === null ? null : validation.expiresAt.getTime() - now.getTime();
  const daysToExpiry = msLeft === null ? null : Math.max(0, Math.floor(msLeft / DAY_MS));
  const valid = validation.status === 'ACTIVE' && (msLeft === null || msLeft > 0);
  const needsAttention = !valid || (daysToExpiry !== null && daysToExpiry < warnDays);
  const expiry = validation.expiresAt === null ? 'no expiry given' : `expires ${validation.expiresAt.toISOString()}`;
  let summary: string;
  if (!valid) summary = `Alation says the token is ${validation.status === 'ACTIVE' ? 'EXPIRED' : validation.status} (${expiry})`;
  else if (daysToExpiry === null) summary = 'Alation accepts the token; it gave no expiry';
  else summary = `Alation accepts the token; it ${expiry}, in ${daysToExpiry} day${daysToExpiry === 1 ? '' : 's'}`;
  return { valid, daysToExpiry, needsAttention, summary };
}
