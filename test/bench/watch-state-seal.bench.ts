/**
 * What sealing costs per re-send: `npx tsx test/bench/watch-state-seal.bench.ts`. Prints the
 * mean time to seal and to verify a typical body and one with an 8 KB context, and the bytes
 * the seal adds (docs/security.md quotes a run).
 */
import { parseJobReferenceBody, serializeJobReference, type JobReference } from '../../shared/contracts/job-reference';
import { sealMatches, sealReference } from '../../shared/watch/watch-state-seal';

const key = Buffer.from('bench-watch-state-key-'.padEnd(64, 'x'));
const RUNS = 20_000;

function mean(run: () => void): number {
  for (let i = 0; i < RUNS / 10; i++) run(); // warm up
  const started = performance.now();
  for (let i = 0; i < RUNS; i++) run();
  return ((performance.now() - started) * 1000) / RUNS;
}

for (const contextBytes of [0, 8000]) {
  const reference: JobReference = {
    job: { name: 'MetadataExtraction#1_2017-10-05-19-36-45' },
    kind: 'lineage',
    context: contextBytes > 0 ? { blob: 'y'.repeat(contextBytes) } : null,
    watch: { polls: 12, firstSeenAt: new Date().toISOString(), lastStatus: 'running', lastError: null, notFoundChecks: 0 },
  };
  const received = parseJobReferenceBody(serializeJobReference(sealReference(reference, key)));
  const sealUs = mean(() => sealReference(reference, key));
  const verifyUs = mean(() => sealMatches(received, key));
  const extraBytes = serializeJobReference(received).length - serializeJobReference(reference).length;
  console.log(`context ${contextBytes} B: seal ${sealUs.toFixed(1)} µs, verify ${verifyUs.toFixed(1)} µs, body +${extraBytes} bytes (mean of ${RUNS})`);
}
