import { randomBytes, randomUUID } from 'node:crypto';
import { SecretsManagerServiceError } from './errors';

/** Staging labels Secrets Manager moves on every new value (rotation). */
export const VersionStage = {
  current: 'AWSCURRENT',
  previous: 'AWSPREVIOUS',
} as const;

/** One value of a secret. Binary values are kept base64-encoded, as they travel in JSON 1.1. */
export interface SecretVersion {
  readonly versionId: string;
  readonly secretString?: string;
  readonly secretBinaryBase64?: string;
  readonly createdDate: Date;
  stages: string[];
}

/** A secret with its versions, as Secrets Manager models it. */
export interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  readonly createdDate: Date;
  lastChangedDate: Date;
  lastAccessedDate?: Date;
  readonly versions: Map<string, SecretVersion>;
}

/** A value to store; exactly one of `secretString` / `secretBinaryBase64` is expected. */
export interface SecretValueInput {
  /** The idempotency token the SDK sends as `ClientRequestToken`; becomes the version id. */
  readonly versionId?: string;
  readonly secretString?: string;
  readonly secretBinaryBase64?: string;
}

/** Options of {@link SecretStore}. */
export interface SecretStoreOptions {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' (the account fauxqs uses too) */
  readonly accountId?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

const notFound = (): SecretsManagerServiceError =>
  // The exact wording AWS uses, so logs and assertions read the same locally and in AWS.
  new SecretsManagerServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");

/**
 * The in-memory model behind the local Secrets Manager: secrets, versions and staging labels.
 *
 * Kept apart from the HTTP layer so the rotation rules (new value → AWSCURRENT, the old one →
 * AWSPREVIOUS, older ones lose their label) are plain code.
 */
export class SecretStore {
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly region: string;
  private readonly accountId: string;
  private readonly now: () => Date;

  constructor(options: SecretStoreOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.now = options.now ?? (() => new Date());
  }

  /** Creates a secret, with a first AWSCURRENT version when a value is given. */
  create(name: string, value: SecretValueInput & { description?: string }): { secret: StoredSecret; version?: SecretVersion } {
    if (!name) throw new SecretsManagerServiceError('InvalidParameterException', 'You must provide a Name.');
    if (this.secrets.has(name)) {
      throw new SecretsManagerServiceError(
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    const createdDate = this.now();
    // Real ARNs end in a dash and six random characters, so code must not build ARNs from names.
    const suffix = randomBytes(4).toString('base64url').slice(0, 6);
    const secret: StoredSecret = {
      arn: `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${suffix}`,
      name,
      ...(value.description === undefined ? {} : { description: value.description }),
      createdDate,
      lastChangedDate: createdDate,
      versions: new Map(),
    };
    this.secrets.set(name, secret);
    const hasValue = value.secretString !== undefined || value.secretBinaryBase64 !== undefined;
    return hasValue ? { secret, version: this.addVersion(secret, value, [VersionStage.current]) } : { secret };
  }

  /** Finds a secret by name or by full ARN, as `SecretId` allows both. */
  find(secretId: string | undefined): StoredSecret {
    if (!secretId) throw new SecretsManagerServiceError('InvalidParameterException', 'You must provide a SecretId.');
    const byName = this.secrets.get(secretId);
    if (byName) return byName;
    for (const secret of this.secrets.values()) {
      if (secret.arn === secretId) return secret;
    }
    throw notFound();
  }

  /** The version asked for: by id, by staging label, or AWSCURRENT by default. */
  getValue(secretId: string | undefined, selector: { versionId?: string; versionStage?: string } = {}): {
    secret: StoredSecret;
    version: SecretVersion;
  } {
    const secret = this.find(secretId);
    const version = selector.versionId
      ? secret.versions.get(selector.versionId)
      : [...secret.versions.values()].find((v) => v.stages.includes(selector.versionStage ?? VersionStage.current));
    if (!version) throw notFound();
    if (selector.versionId && selector.versionStage && !version.stages.includes(selector.versionStage)) {
      throw new SecretsManagerServiceError(
        'InvalidRequestException',
        `The staging label ${selector.versionStage} is not attached to version ${selector.versionId}.`,
      );
    }
    secret.lastAccessedDate = this.now();
    return { secret, version };
  }

  /**
   * Stores a new value. Like AWS, a new value takes AWSCURRENT, the former current value
   * becomes AWSPREVIOUS, and a repeated `ClientRequestToken` with the same value is a no-op.
   */
  putValue(secretId: string | undefined, value: SecretValueInput & { versionStages?: string[] }): {
    secret: StoredSecret;
    version: SecretVersion;
  } {
    const secret = this.find(secretId);
    const existing = value.versionId ? secret.versions.get(value.versionId) : undefined;
    if (existing) {
      const same =
        existing.secretString === value.secretString && existing.secretBinaryBase64 === value.secretBinaryBase64;
      if (!same) {
        throw new SecretsManagerServiceError(
          'ResourceExistsException',
          `You can't modify an existing version, you can only create a new version (${value.versionId}).`,
        );
      }
      return { secret, version: existing };
    }
    const stages = value.versionStages?.length ? value.versionStages : [VersionStage.current];
    const version = this.addVersion(secret, value, stages);
    return { secret, version };
  }

  /** Version ids with their staging labels; versions without a label are left out, as in AWS. */
  versionIdsToStages(secret: StoredSecret): Record<string, string[]> {
    const result: Record<string, string[]> = {};
    for (const version of secret.versions.values()) {
      if (version.stages.length > 0) result[version.versionId] = [...version.stages];
    }
    return result;
  }

  private addVersion(secret: StoredSecret, value: SecretValueInput, stages: string[]): SecretVersion {
    if (value.secretString === undefined && value.secretBinaryBase64 === undefined) {
      throw new SecretsManagerServiceError(
        'InvalidRequestException',
        'You must provide either SecretString or SecretBinary.',
      );
    }
    if (stages.includes(VersionStage.current)) {
      for (const other of secret.versions.values()) {
        // Rotation: the label AWSPREVIOUS moves to the version that loses AWSCURRENT.
        other.stages = other.stages.filter((s) => s !== VersionStage.previous);
        if (other.stages.includes(VersionStage.current)) {
          other.stages = [...other.stages.filter((s) => s !== VersionStage.current), VersionStage.previous];
        }
      }
    }
    for (const other of secret.versions.values()) {
      // A custom label lives on one version only.
      other.stages = other.stages.filter((s) => !stages.includes(s) || s === VersionStage.previous);
    }
    const version: SecretVersion = {
      versionId: value.versionId ?? randomUUID(),
      ...(value.secretString === undefined ? {} : { secretString: value.secretString }),
      ...(value.secretBinaryBase64 === undefined ? {} : { secretBinaryBase64: value.secretBinaryBase64 }),
      createdDate: this.now(),
      stages: [...stages],
    };
    secret.versions.set(version.versionId, version);
    secret.lastChangedDate = version.createdDate;
    return version;
  }
}
