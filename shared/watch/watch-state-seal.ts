import { createHmac, timingSafeEqual } from 'node:crypto';
import { normaliseJobName } from '../alation/job-identifier';
import { FUNCTION_OWNED_FIELDS, serializeJobReference, type JobReference } from '../contracts/job-reference';

/**
 * The watcher's state rides in the SQS body (re-sending resets the receive count, see
 * ARCHITECTURE.md), and anyone allowed to send to the queue can write a body. So the watcher
 * seals the bodies it writes: an HMAC-SHA256, with a key only the function can read, over the
 * canonical body. A body whose watcher-owned fields do not verify is a producer's message like
 * any other: those fields are dropped and the job counts as a first sighting.
 */

/** An HMAC key: the bytes of the Secrets Manager secret's string (UTF-8). */
export type WatchStateKey = Uint8Array;

/** Where the keys come from; declared here, implemented over Secrets Manager in `shared/aws/`. */
export interface WatchStateKeys {
  /**
   * The key new seals are made with.
   * @throws WatchStateKeyError (retryable) when it cannot be read: the record is retried.
   */
  current(): Promise<WatchStateKey>;
  /**
   * The key before the last rotation (`AWSPREVIOUS`), or null when there is none. Asked only
   * when a seal does not verify with the current key, so a rotation loses no watch state.
   */
  previous(): Promise<WatchStateKey | null>;
  /**
   * Asks for both keys to be read again (the secret may have been rotated since they were
   * cached); returns false when that is not allowed yet (rate-limited) or not supported.
   */
  reload?(): boolean;
}

const SEAL_VERSION = 'v1';
// Domain separation: a MAC made for this purpose is never valid for another, whatever else
// the key might one day be used for.
const SEAL_CONTEXT = 'alation-job-watch/job-reference-seal/v1\n';

/**
 * The text the seal covers: the body as `serializeJobReference` writes it, without the seal,
 * with object keys sorted at every level (context included). Built from the serialised body,
 * so every field the body carries (job, kind, context and each watcher-owned field, present or
 * future) is covered without being listed here.
 */
export function canonicalBody(reference: JobReference): string {
  const { seal: _ignored, ...unsealed } = reference;
  const body: unknown = JSON.parse(serializeJobReference(unsealed));
  return JSON.stringify(body, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    // A null-prototype copy: a key named "__proto__" stays an own key and is sorted like any other.
    const sorted: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value).sort()) sorted[key] = (value as Record<string, unknown>)[key];
    return sorted;
  });
}

function mac(reference: JobReference, key: WatchStateKey): Buffer {
  return createHmac('sha256', key).update(SEAL_CONTEXT).update(canonicalBody(reference)).digest();
}

/** The reference with a fresh seal over its current content, made with `key`. */
export function sealReference(reference: JobReference, key: WatchStateKey): JobReference {
  return { ...reference, seal: `${SEAL_VERSION}.${mac(reference, key).toString('base64url')}` };
}

/** Whether the reference's seal was made with `key` over exactly this content. Constant-time. */
export function sealMatches(reference: JobReference, key: WatchStateKey): boolean {
  if (reference.seal === undefined) return false;
  // The seal's text is compared, not its decoded bytes: base64 decoders ignore the spare bits
  // of the last character, so only the one canonical spelling of a MAC is accepted.
  const claimed = Buffer.from(reference.seal, 'utf8');
  const expected = Buffer.from(sealReference(reference, key).seal!, 'utf8');
  return claimed.length === expected.length && timingSafeEqual(claimed, expected);
}

/** The watcher-owned fields the reference carries (non-null), by name. */
export function functionOwnedFieldsOf(reference: JobReference): string[] {
  const fields = reference as unknown as Record<string, unknown>;
  return FUNCTION_OWNED_FIELDS.filter((field) => fields[field] !== null && fields[field] !== undefined);
}

/**
 * The reference as a producer's first message: watcher-owned fields and the seal dropped.
 * The name is decoded exactly once in all: `validateJobReference` leaves it as sent when the
 * body carries watch state (the watcher re-sends the name it already decoded). A body with
 * watch state but no seal at all never came from the watcher (it seals everything it sends):
 * its name is decoded here, once, as on any producer's message. A body with a seal that does
 * not verify is most likely the watcher's own, sealed before two key rotations: its name was
 * decoded when it was first read, and decoding it again would turn job `x%41` into job `xA`,
 * so it is kept as spelt (a forger gets the literal name, no job they could not have named).
 */
export function asFirstSighting(reference: JobReference): JobReference {
  const { seal, ...rest } = reference;
  const stripped: Record<string, unknown> = { ...rest };
  // Only `watch` exists in v1 as a nullable field; fields added later are dropped altogether.
  for (const field of FUNCTION_OWNED_FIELDS) {
    if (field === 'watch') stripped[field] = null;
    else delete stripped[field];
  }
  const undecoded = seal === undefined && reference.watch !== null && reference.watch !== undefined && 'name' in reference.job;
  const job = undecoded && 'name' in reference.job ? { name: normaliseJobName(reference.job.name) } : reference.job;
  return { ...(stripped as unknown as JobReference), job };
}

/** Why a body's watcher-owned fields were not trusted, for the log line and the metric. */
export type SealVerdict = 'sealed' | 'unsealed' | 'forged' | 'nothing_to_verify';

/**
 * Checks the seal of a received reference and returns what the watcher may trust: the
 * reference as it is when its seal verifies with the current (or the previous) key, else the
 * reference as a first sighting. A key that cannot be read throws (retry), never a verdict.
 */
export async function authenticateReference(
  reference: JobReference,
  keys: WatchStateKeys,
): Promise<{ reference: JobReference; verdict: SealVerdict; fields: string[] }> {
  const fields = functionOwnedFieldsOf(reference);
  if (fields.length === 0) {
    // A seal over nothing the watcher owns vouches for nothing; keep the body a plain producer's one.
    const { seal: _ignored, ...rest } = reference;
    return { reference: rest, verdict: 'nothing_to_verify', fields };
  }
  if (reference.seal === undefined) return { reference: asFirstSighting(reference), verdict: 'unsealed', fields };
  const verifies = async (): Promise<boolean> => {
    if (sealMatches(reference, await keys.current())) return true;
    const previous = await keys.previous();
    return previous !== null && sealMatches(reference, previous);
  };
  // A seal made by an environment that already read a rotated key: read the keys again, once.
  if ((await verifies()) || (keys.reload?.() === true && (await verifies()))) return { reference, verdict: 'sealed', fields };
  return { reference: asFirstSighting(reference), verdict: 'forged', fields };
}
