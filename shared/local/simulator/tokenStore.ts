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

/** Dependencies of {@link TokenStore}. */
export interface TokenStoreOptions {
  /** Tokens valid from the start (the "static" tokens a secret might hold). */
  readonly accessTokens: readonly string[];
  readonly refreshTokens: readonly RefreshTokenGrant[];
  /** Lifetime of every access token, static or minted, from its creation. */
  readonly accessTokenTtlMs: number;
  readonly now: () => number;
  /** Makes a new token value. */
  readonly newToken: () => string;
}

interface AccessTokenRecord {
  readonly expiresAtMs: number;
  readonly minted: boolean;
}

/**
 * Access and refresh tokens, in memory. Token values are only ever compared, never logged or
 * echoed in error bodies.
 */
export class TokenStore {
  private readonly access = new Map<string, AccessTokenRecord>();
  private staticTokens: string[];

  public constructor(private readonly options: TokenStoreOptions) {
    this.staticTokens = [...options.accessTokens];
    for (const token of this.staticTokens) this.remember(token, false);
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
    return this.options.now() >= record.expiresAtMs ? 'expired' : 'valid';
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
    const grant = this.options.refreshTokens.find(
      (candidate) => candidate.refreshToken === refreshToken && candidate.userId === userId,
    );
    if (grant === undefined) return undefined;
    const token = this.options.newToken();
    const record = this.remember(token, true);
    return {
      api_access_token: token,
      user_id: grant.userId,
      created_at: new Date(record.expiresAtMs - this.options.accessTokenTtlMs).toISOString(),
      token_expires_at: new Date(record.expiresAtMs).toISOString(),
      token_status: 'ACTIVE',
    };
  }

  private remember(token: string, minted: boolean): AccessTokenRecord {
    const record = { expiresAtMs: this.options.now() + this.options.accessTokenTtlMs, minted };
    this.access.set(token, record);
    return record;
  }
}
