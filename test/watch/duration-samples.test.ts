import { describe, expect, it } from 'vitest';
import { collectDurationSamples } from '../../shared/watch/duration-samples';
import type { KindDurationStore } from '../../shared/watch/kind-duration-store';

function memoryStore(options: { failKinds?: string[]; fullKinds?: string[]; batched?: boolean } = {}) {
  const writes: { kind: string; seconds: readonly number[] }[] = [];
  const write = async (kind: string, seconds: readonly number[]) => {
    if (options.failKinds?.includes(kind)) throw new Error('ProvisionedThroughputExceededException: slow down');
    writes.push({ kind, seconds: [...seconds] });
    return !options.fullKinds?.includes(kind);
  };
  const store: KindDurationStore = {
    read: async () => null,
    record: (kind, seconds) => write(kind, [seconds]),
    ...(options.batched !== false && { recordAll: write }),
  };
  return { store, writes };
}

function logSink() {
  const lines: { level: string; message: string; extra: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, extra: Record<string, unknown> = {}) => void lines.push({ level, message, extra });
  return { lines, log: { info: at('info'), warn: at('warn') } };
}

describe('the duration samples of one invocation', () => {
  it('writes nothing until the flush, then one write per kind with every sample of that kind', async () => {
    const { store, writes } = memoryStore();
    const { log } = logSink();
    const samples = collectDurationSamples(store, log);

    await samples.record('lineage', 2);
    await samples.record('lineage', 3);
    await samples.record('metadata-extraction', 2400);
    await samples.record('lineage', 5);
    expect(writes).toEqual([]);

    await samples.flush(() => true);

    expect(writes).toEqual([
      { kind: 'lineage', seconds: [2, 3, 5] },
      { kind: 'metadata-extraction', seconds: [2400] },
    ]);
  });

  it('flushes each sample once: a second flush writes nothing', async () => {
    const { store, writes } = memoryStore();
    const samples = collectDurationSamples(store, logSink().log);
    await samples.record('lineage', 2);
    await samples.flush(() => true);
    await samples.flush(() => true);
    expect(writes).toHaveLength(1);
  });

  it('logs and drops the samples of a kind whose write fails, and still writes the other kinds', async () => {
    const { store, writes } = memoryStore({ failKinds: ['lineage'] });
    const { lines, log } = logSink();
    const samples = collectDurationSamples(store, log);
    await samples.record('lineage', 2);
    await samples.record('query-log-ingestion', 240);

    await expect(samples.flush(() => true)).resolves.toBeUndefined();

    expect(writes).toEqual([{ kind: 'query-log-ingestion', seconds: [240] }]);
    expect(lines).toEqual([
      { level: 'warn', message: 'durations not learned: the store failed', extra: { kind: 'lineage', samples: 1, error: 'Error: ProvisionedThroughputExceededException: slow down' } },
    ]);
  });

  it('does not start a write when the invocation has too little time left for it, and says so', async () => {
    const { store, writes } = memoryStore();
    const { lines, log } = logSink();
    const samples = collectDurationSamples(store, log);
    await samples.record('lineage', 2);
    await samples.record('lineage', 4);

    await samples.flush(() => false);

    expect(writes).toEqual([]);
    expect(lines).toEqual([{ level: 'warn', message: 'durations not learned: too little of the invocation left to write them', extra: { kinds: 1, samples: 2 } }]);
  });

  it('says when the store had no place for a kind', async () => {
    const { store } = memoryStore({ fullKinds: ['junk-kind'] });
    const { lines, log } = logSink();
    const samples = collectDurationSamples(store, log);
    await samples.record('junk-kind', 2);
    await samples.flush(() => true);
    expect(lines).toEqual([{ level: 'info', message: 'durations not learned: the kind has no place among the learned kinds', extra: { kind: 'junk-kind', samples: 1 } }]);
  });

  it('falls back to one write per sample with a store that cannot write several at once', async () => {
    const { store, writes } = memoryStore({ batched: false });
    const samples = collectDurationSamples(store, logSink().log);
    await samples.record('lineage', 2);
    await samples.record('lineage', 3);
    await samples.flush(() => true);
    expect(writes).toEqual([
      { kind: 'lineage', seconds: [2] },
      { kind: 'lineage', seconds: [3] },
    ]);
  });

  it('passes reads straight to the store', async () => {
    const { store } = memoryStore();
    const known = { samples: 3 } as never;
    const samples = collectDurationSamples({ ...store, read: async (kind) => (kind === 'lineage' ? known : null) }, logSink().log);
    expect(await samples.read('lineage')).toBe(known);
    expect(await samples.read('other')).toBeNull();
  });
});
