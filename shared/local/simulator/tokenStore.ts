import type { RefreshTokenGrant } from './types';

/** What the `TOKEN` header of a request amounts to. */
export type TokenCheck = 'missing' | 'valid' | 'unknown' | 'expired';

/** The body of a successful `createAPIAccessToken` call. */
export interface MintedAccessToken {
  readonly api_access_token: string;
  readonly user_id: number;
  readonly created_at: string;
  readonly token_expires_at: string;
  readonly token_status: 'ACTIVE';
}

/** Where a token is in its life, as Alation's validate endpoints name it. */
export type TokenStatus = 'ACTIVE' | 'EXPIRED' | 'REVOKED';

/**
 * The body of `validateRefreshToken` (Alation's `RefreshToken` model, as Allie-SDK reads it:
 * `user_id`, `created_at`, `name`, `token_expires_at`, `token_status`, `last_used_at`). The
 * token itself is not echoed: the simulator never sends a credential back.
 */
export interface RefreshTokenDescription {
  readonly user_id: number;
  readonly name: string;
  readonly created_at: string;
  readonly token_expires_at: string;
  readonly token_status: TokenStatus;
  readonly last_used_at: string | null;
}

/** The body of `validateAPIAccessToken` (Alation's `AccessToken` model), without the token. */
export interface AccessTokenDescription {
  readonly user_id: number;
  readonly created_at: string;
  readonly token_expires_at: string;
  readonly token_status: TokenStatus;
}

/** Dependencies of {@link TokenStore}. */
export interface TokenStoreOptions {
  /** Tokens valid from the start (the "static" tokens a secret might hold). */
  readonly accessTokens: readonly string[];
  readonly refreshTokens: readonly RefreshTokenGrant[];
  /** Lifetime of every access token, static or minted, from its creation. */
  readonly accessTokenTtlMs: number;
  /** Lifetime of a refresh token that gives no `expiresAtMs`. */
  readonly refreshTokenTtlMs: number;
  readonly now: () => number;
  /** Makes a new token value. */
  readonly newToken: () => string;
}

interface AccessTokenRecord {
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  readonly minted: boolean;
  /** Minted ones: the user and the refresh token they came from. */
  readonly userId?: number;
  readonly refreshToken?: string;
  revoked: boolean;
}

interface RefreshTokenRecord {
  readonly userId: number;
  readonly name: string;
  readonly createdAtMs: number;
  expiresAtMs: number;
  revoked: boolean;
  lastUsedAtMs: number | null;
}

/**
 * Access and refresh tokens, in memory. Token values are only ever compared, never logged or
 * echoed in error bodies.
 */
export class TokenStore {
  private readonly access = new Map<string, AccessTokenRecord>();
  private readonly refresh = new Map<string, RefreshTokenRecord>();
  private staticTokens: string[];

  public constructor(private readonly options: TokenStoreOptions) {
    this.staticTokens = [...options.accessTokens];
    for (const token of this.staticTokens) this.remember(token, false);
    const now = options.now();
    for (const grant of options.refreshTokens) {
      this.refresh.set(grant.refreshToken, {
        userId: grant.userId,
        name: grant.name ?? 'alation-job-watch',
        createdAtMs: now,
        expiresAtMs: grant.expiresAtMs ?? now + options.refreshTokenTtlMs,
        revoked: grant.revoked ?? false,
        lastUsedAtMs: null,
      });
    }
  }

  /** The static token clients should use now (the newest after a rotation). */
  public get current(): string {
    return this.staticTokens[0] ?? '';
  }

  /** Classifies the `TOKEN` header of a request. */
  public check(token: string | undefined): TokenCheck {
    if (token === undefined || token === '') return 'missing';
    const record = this.access.get(token);
    if (record === undefined) return 'unknown';
    return record.revoked || this.options.now() >= record.expiresAtMs ? 'expired' : 'valid';
  }

  /** `validateRefreshToken`: the token's metadata, or `undefined` when token and user do not match. */
  public describeRefreshToken(refreshToken: string, userId: number): RefreshTokenDescription | undefined {
    const record = this.refresh.get(refreshToken);
    if (record === undefined || record.userId !== userId) return undefined;
    return {
      user_id: record.userId,
      name: record.name,
      created_at: iso(record.createdAtMs),
      token_expires_at: iso(record.expiresAtMs),
      token_status: this.status(record),
      last_used_at: record.lastUsedAtMs === null ? null : iso(record.lastUsedAtMs),
    };
  }

  /** `validateAPIAccessToken`: metadata of a minted access token of this user, or `undefined`. */
  public describeAccessToken(accessToken: string, userId: number): AccessTokenDescription | undefined {
    const record = this.access.get(accessToken);
    if (record === undefined || record.userId !== userId) return undefined;
    return { user_id: userId, created_at: iso(record.createdAtMs), token_expires_at: iso(record.expiresAtMs), token_status: this.status(record) };
  }

  /** Revokes a refresh token and every access token minted from it. @returns whether it was known */
  public revokeRefreshToken(refreshToken: string): boolean {
    const record = this.refresh.get(refreshToken);
    if (record === undefined) return false;
    record.revoked = true;
    for (const access of this.access.values()) if (access.refreshToken === refreshToken) access.revoked = true;
    return true;
  }

  /** Moves a refresh token's expiry, e.g. to make it expire in 3 days. @returns whether it was known */
  public setRefreshTokenExpiry(refreshToken: string, expiresAtMs: number): boolean {
    const record = this.refresh.get(refreshToken);
    if (record === undefined) return false;
    record.expiresAtMs = expiresAtMs;
    return true;
  }

  private status(record: { revoked: boolean; expiresAtMs: number }): TokenStatus {
    if (record.revoked) return 'REVOKED';
    return this.options.now() >= record.expiresAtMs ? 'EXPIRED' : 'ACTIVE';
  }

  /** Revokes every static token and issues one new one, which it returns. Minted tokens survive. */
  public rotate(): string {
    for (const token of this.staticTokens) this.access.delete(token);
    const fresh = this.options.newToken();
    this.staticTokens = [fresh];
    this.remember(fresh, false);
    return fresh;
  }

  /** Mints an access token for a known refresh token and user, or `undefined` if they do not match. */
  public mint(refreshToken: string, userId: number): MintedAccessToken | undefined {
    const grant = this.refresh.get(refreshToken);
    // An expired or revoked refresh token mints nothing (Allie-SDK checks ACTIVE before minting).
    if (grant === undefined || grant.userId !== userId || this.status(grant) !== 'ACTIVE') return undefined;
    grant.lastUsedAtMs = this.options.now();
    const token = this.options.newToken();
    const record = this.remember(token, true, { userId, refreshToken });
    return {
      api_access_token: token,
      user_id: grant.userId,
      created_at: new Date(record.expiresAtMs - this.options.accessTokenTtlMs).toISOString(),
      token_expires_at: new Date(record.expiresAtMs).toISOString(),
      token_status: 'ACTIVE',
    };
  }

  private remember(token: string, minted: boolean, origin: { userId: number; refreshToken: string } | Record<string, never> = {}): AccessTokenRecord {
    const createdAtMs = this.options.now();
    const record: AccessTokenRecord = { createdAtMs, expiresAtMs: createdAtMs + this.options.accessTokenTtlMs, minted, revoked: false, ...origin };
    this.access.set(token, record);
    return record;
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();
