import type { Outcome } from '../../shared/contracts/outcome';
import { buildOutcome } from '../../shared/watch/build-outcome';
import { referenceNameExample } from './alation-responses';
import { jobRef, watchState } from './factories';

/** A realistic outcome (the reference page's name example), with overrides. */
export function outcome(overrides: Partial<Outcome> = {}): Outcome {
  const base = buildOutcome({
    reference: jobRef({ job: { name: 'MetadataExtraction#1_2017-10-05-19-36-45-431906-00-00-4ea1dc02-1c9f-41db-be6f-3f7cb1849da3' }, kind: 'lineage' }),
    status: 'successful',
    response: referenceNameExample(),
    watch: watchState({ polls: 3, lastStatus: 'successful' }),
    publishedAt: new Date('2026-01-01T00:05:00Z'),
  });
  return { ...base, ...overrides };
}
