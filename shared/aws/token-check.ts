import * as z from 'zod/mini';
import { parseAlationBaseUrl } from '../alation/base-url';
import { createAlationClient } from '../alation/client';
import { assessTokenLifetime, DEFAULT_TOKEN_WARN_DAYS } from '../alation/token-lifetime';
import { validateRefreshToken } from '../alation/token-validation';
import { AlationError, AlationErrorClass, ConfigError, JobWatchError } from '../errors';
import { parseTokenSecret, type TokenSecret } from './token-secret';

/** The token-check function's environment, validated once at cold start. */
export interface TokenCheckConfig {
  readonly alationBaseUrl: string;
  readonly tokenSecretId: string;
  /** Only for the log line's wording; the alarm's threshold is the construct's `tokenWarnDays`. */
  readonly warnDays: number;
  readonly alationTimeoutMs: number;
}

const positive = (fallback: number, max: number) =>
  z.pipe(
    z.transform((value: unknown) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : fallback)),
    z.number({ error: 'must be a number' }).check(z.refine(Number.isInteger, { error: 'must be a whole number' }), z.minimum(1, { error: 'must be at least 1' }), z.maximum(max, { error: `must be at most ${max}` })),
  );
const required = z.string({ error: 'is required' }).check(z.refine((value) => value.trim() !== '', { error: 'is required' }));
const EnvironmentSchema = z.object({
  ALATION_BASE_URL: required,
  ALATION_TOKEN_SECRET_ID: required,
  TOKEN_WARN_DAYS: positive(DEFAULT_TOKEN_WARN_DAYS, 365),
  ALATION_TIMEOUT_MS: positive(10_000, 60_000),
});

/** @throws ConfigError naming every missing or malformed variable. */
export function loadTokenCheckConfig(env: Readonly<Record<string, string | undefined>> = process.env): TokenCheckConfig {
  const parsed = EnvironmentSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => ({ field: i.path.join('.'), problem: i.message })));
  return {
    alationBaseUrl: parseAlationBaseUrl(parsed.data.ALATION_BASE_URL),
    tokenSecretId: parsed.data.ALATION_TOKEN_SECRET_ID.trim(),
    warnDays: parsed.data.TOKEN_WARN_DAYS,
    alationTimeoutMs: parsed.data.ALATION_TIMEOUT_MS,
  };
}

/** Where the check's two numbers go (Powertools Metrics in the function). */
export interface TokenMetrics {
  valid(value: 0 | 1): void;
  daysToExpiry(days: number): void;
}

/** What the check needs from outside. */
export interface TokenCheckDeps {
  /** The secret's current value (no cache: the check runs once a day). */
  readSecret(secretId: string): Promise<unknown>;
  readonly metrics: TokenMetrics;
  readonly log: { info(message: string, extra?: Record<string, unknown>): void; warn(message: string, extra?: Record<string, unknown>): void };
  readonly now: () => Date;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** What one check found. Holds no token. */
export interface TokenCheckResult {
  readonly secretForm: TokenSecret['kind'] | 'unreadable';
  readonly valid: boolean;
  readonly daysToExpiry: number | null;
  readonly needsAttention: boolean;
  readonly summary: string;
}

/** The job id no Alation has: its "no such job" answer shows that a bare access token is accepted. */
const PROBE_JOB_ID = 2_147_483_647;

/**
 * The daily token check: reads the secret, asks Alation about the token, emits `TokenValid`
 * (1/0) and `TokenDaysToExpiry`, and logs one summary line. The alarms in `infra/token-check.ts`
 * read those two metrics. A secret that cannot be read or parsed, or a token Alation does not
 * know, is an answer (`TokenValid` 0); Alation being unreachable is not, and throws, so the
 * scheduler retries and no metric is emitted (the alarm treats a missing day as breaching).
 */
export async function checkToken(config: TokenCheckConfig, deps: TokenCheckDeps): Promise<TokenCheckResult> {
  let secret: TokenSecret;
  try {
    secret = parseTokenSecret(await deps.readSecret(config.tokenSecretId), config.tokenSecretId);
  } catch (error) {
    const reason = error instanceof JobWatchError ? error.message : `could not read token secret ${config.tokenSecretId} (${(error as Error).name})`;
    return report(deps, { secretForm: 'unreadable', valid: false, daysToExpiry: null, needsAttention: true, summary: reason });
  }

  if (secret.kind === 'refresh') {
    try {
      const validation = await validateRefreshToken(secret.refreshToken, secret.userId, { baseUrl: config.alationBaseUrl, timeoutMs: config.alationTimeoutMs, fetch: deps.fetch });
      const lifetime = assessTokenLifetime(validation, deps.now(), config.warnDays);
      return report(deps, { secretForm: 'refresh', ...lifetime });
    } catch (error) {
      if (!(error instanceof AlationError) || error.errorClass !== AlationErrorClass.auth) throw error;
      return report(deps, { secretForm: 'refresh', valid: false, daysToExpiry: 0, needsAttention: true, summary: error.message });
    }
  }

  // A bare access token: Alation describes one only given its user id, which the secret lacks,
  // so the check asks whether it is accepted. Its expiry stays unknown (24 h by default).
  const alation = createAlationClient({ baseUrl: config.alationBaseUrl, timeoutMs: config.alationTimeoutMs, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  try {
    await alation.getJobStatus({ id: PROBE_JOB_ID }, secret.token);
  } catch (error) {
    if (!(error instanceof AlationError)) throw error;
    if (error.errorClass === AlationErrorClass.auth) {
      return report(deps, { secretForm: 'access', valid: false, daysToExpiry: null, needsAttention: true, summary: error.message });
    }
    if (error.errorClass !== AlationErrorClass.notFound) throw error;
  }
  return report(deps, {
    secretForm: 'access',
    valid: true,
    daysToExpiry: null,
    needsAttention: false,
    summary: 'Alation accepts the bare access token; its expiry is unknown (24 hours by default): store a refresh token and user id instead',
  });
}

function report(deps: TokenCheckDeps, result: TokenCheckResult): TokenCheckResult {
  deps.metrics.valid(result.valid ? 1 : 0);
  if (result.daysToExpiry !== null) deps.metrics.daysToExpiry(result.daysToExpiry);
  const fields = { secretForm: result.secretForm, valid: result.valid, daysToExpiry: result.daysToExpiry };
  if (result.needsAttention || result.secretForm === 'access') deps.log.warn(result.summary, fields);
  else deps.log.info(result.summary, fields);
  return result;
}
