import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJobReferenceBody, serializeJobReference, type JobReference } from '../../shared/contracts/job-reference';
import {
  asFirstSighting,
  authenticateReference,
  canonicalBody,
  sealMatches,
  sealReference,
  type WatchStateKeys,
} from '../../shared/watch/watch-state-seal';
import { jobRef, watchState } from '../support/factories';

const KEY = Buffer.from('current-watch-state-key-0123456789abcdef');
const OLD_KEY = Buffer.from('previous-watch-state-key-0123456789abcd');
const keys = (current = KEY, previous: Buffer | null = null): WatchStateKeys & { reads: string[] } => {
  const reads: string[] = [];
  return {
    reads,
    current: async () => (reads.push('current'), current),
    previous: async () => (reads.push('previous'), previous),
  };
};
/** What the receiving function sees: the sealed reference, through the SQS body and back. */
const overTheWire = (reference: JobReference) => parseJobReferenceBody(serializeJobReference(reference));

describe('the watch-state seal', () => {
  const running = jobRef({ job: { name: 'Job#1' }, kind: 'lineage', context: { upload: 'u-1', b: [1, { z: 1, a: 2 }] }, watch: watchState({ polls: 4 }) });

  it('verifies a body the watcher sealed, after it crossed SQS as JSON', async () => {
    const received = overTheWire(sealReference(running, KEY));
    expect(sealMatches(received, KEY)).toBe(true);
    expect(await authenticateReference(received, keys())).toMatchObject({ verdict: 'sealed', reference: received });
  });

  it.each([
    ['polls', (r: JobReference) => ({ ...r, watch: { ...r.watch!, polls: 5 } })],
    ['firstSeenAt', (r: JobReference) => ({ ...r, watch: { ...r.watch!, firstSeenAt: '1990-01-01T00:00:00.000Z' } })],
    ['notFoundChecks', (r: JobReference) => ({ ...r, watch: { ...r.watch!, notFoundChecks: 4 } })],
    ['the job', (r: JobReference) => ({ ...r, job: { name: 'Job#2' } })],
    ['the kind', (r: JobReference) => ({ ...r, kind: 'other' })],
    ['a context value', (r: JobReference) => ({ ...r, context: { ...r.context, upload: 'u-2' } })],
  ])('does not verify once %s is changed', async (_field, change) => {
    const tampered = overTheWire(change(sealReference(running, KEY)));
    expect(sealMatches(tampered, KEY)).toBe(false);
    expect((await authenticateReference(tampered, keys())).verdict).toBe('forged');
  });

  it('does not verify with another key', () => {
    expect(sealMatches(sealReference(running, OLD_KEY), KEY)).toBe(false);
  });

  it('treats a watch state without a seal as a first sighting: watch dropped, name decoded once', async () => {
    const forged = parseJobReferenceBody(JSON.stringify({ jobName: 'Job%231', watch: watchState({ polls: 9 }) }));
    expect(forged.job).toEqual({ name: 'Job%231' }); // not decoded while it claims to be a re-send
    const { reference, verdict, fields } = await authenticateReference(forged, keys());
    expect({ verdict, fields }).toEqual({ verdict: 'unsealed', fields: ['watch'] });
    expect(reference).toEqual({ job: { name: 'Job#1' }, kind: null, context: null, watch: null });
  });

  it.each([
    ['garbage', 'v1.not-a-mac'],
    ['an empty MAC', 'v1.'],
    ['another version', 'v2.AAAA'],
    ['a truncated MAC', (s: string) => s.slice(0, -4)],
  ])('treats a seal that is %s as forged', async (_what, seal) => {
    const genuine = sealReference(running, KEY).seal!;
    const claimed = typeof seal === 'string' ? seal : seal(genuine);
    const result = await authenticateReference({ ...running, seal: claimed }, keys());
    expect(result.verdict).toBe('forged');
    expect(result.reference.watch).toBeNull();
    expect(result.reference.seal).toBeUndefined();
  });

  it('accepts a seal made with the previous key (a rotation loses no watch), asking for it only then', async () => {
    const source = keys(KEY, OLD_KEY);
    const sealedBefore = overTheWire(sealReference(running, OLD_KEY));
    expect((await authenticateReference(sealedBefore, source)).verdict).toBe('sealed');
    expect(source.reads).toEqual(['current', 'previous']);

    const fresh = keys(KEY, OLD_KEY);
    await authenticateReference(overTheWire(sealReference(running, KEY)), fresh);
    expect(fresh.reads).toEqual(['current']);
  });

  it('reads the keys again once when a seal verifies with neither cached key', async () => {
    let current = OLD_KEY;
    let reloads = 0;
    const source: WatchStateKeys = {
      current: async () => current,
      previous: async () => null,
      reload: () => {
        reloads++;
        current = KEY; // another environment already sealed with the rotated key
        return true;
      },
    };
    expect((await authenticateReference(overTheWire(sealReference(running, KEY)), source)).verdict).toBe('sealed');
    expect(reloads).toBe(1);
  });

  it('throws, and gives no verdict, when the key cannot be read', async () => {
    const broken: WatchStateKeys = { current: async () => Promise.reject(new Error('throttled')), previous: async () => null };
    await expect(authenticateReference(sealReference(running, KEY), broken)).rejects.toThrow('throttled');
  });

  it('ignores a seal on a body with nothing the watcher owns', async () => {
    const plain = jobRef({ seal: 'v1.whatever' });
    expect(await authenticateReference(plain, keys())).toEqual({ reference: jobRef(), verdict: 'nothing_to_verify', fields: [] });
  });

  it('canonicalises key order at every level, so equal content gives equal seals', () => {
    const a = jobRef({ context: { b: 1, a: { y: [1, { d: 1, c: 2 }], x: 0 } } });
    const b = jobRef({ context: { a: { x: 0, y: [1, { c: 2, d: 1 }] }, b: 1 } });
    expect(canonicalBody(a)).toBe(canonicalBody(b));
    expect(canonicalBody(jobRef({ context: { ['__proto__']: 1 } as Record<string, unknown> }))).toContain('"__proto__":1');
  });

  it('verifies every sealed reference after the round trip, and none with one character of the seal changed', () => {
    const context = fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }), { nil: null });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        context,
        fc.integer({ min: 0, max: 1e6 }),
        fc.nat({ max: 42 }),
        (id, ctx, polls, position) => {
          const sealed = sealReference(jobRef({ job: { id }, context: ctx, watch: watchState({ polls }) }), KEY);
          // The sealed body is what the function will later read: JSON normalises -0 and the like.
          const received = overTheWire(sealed);
          expect(sealMatches(received, KEY)).toBe(true);
          const mac = received.seal!.slice(3);
          const flipped = mac.slice(0, position) + (mac[position] === 'A' ? 'B' : 'A') + mac.slice(position + 1);
          expect(sealMatches({ ...received, seal: `v1.${flipped}` }, KEY)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('drops the watcher-owned fields and the seal of a first sighting', () => {
    expect(asFirstSighting(jobRef({ watch: watchState(), seal: 'v1.x' }))).toEqual(jobRef());
  });
});
