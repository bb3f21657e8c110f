import { FAULT_KINDS, type FaultKind } from './faults';
import type { JobSummary } from './jobRegistry';

/** Counters a test or tool reads to see what the simulator did. Contains no token values. */
export interface SimulatorStats {
  readonly requests: {
    readonly total: number;
    /** By path without query, e.g. `/api/v1/bulk_metadata/job/`. */
    readonly byPath: Readonly<Record<string, number>>;
    /** By answered status, as a string key (`"200"`); held (timeout) requests have none. */
    readonly byStatus: Readonly<Record<string, number>>;
  };
  /** Faults injected, by kind; latency counts only when the delay was above zero. */
  readonly faults: Readonly<Record<FaultKind, number>>;
  /** Genuine polls per job and whether it has been seen finished. */
  readonly jobs: readonly JobSummary[];
}

/** Accumulates {@link SimulatorStats}. */
export class StatsRecorder {
  private total = 0;
  private readonly byPath: Record<string, number> = {};
  private readonly byStatus: Record<string, number> = {};
  private readonly faults = Object.fromEntries(Object.values(FAULT_KINDS).map((kind) => [kind, 0])) as Record<
    FaultKind,
    number
  >;

  public request(path: string): void {
    this.total += 1;
    this.byPath[path] = (this.byPath[path] ?? 0) + 1;
  }

  public status(status: number): void {
    this.byStatus[String(status)] = (this.byStatus[String(status)] ?? 0) + 1;
  }

  public fault(kind: FaultKind): void {
    this.faults[kind] += 1;
  }

  /** A copy, so later requests do not change what a caller already holds. */
  public snapshot(jobs: readonly JobSummary[]): SimulatorStats {
    return {
      requests: { total: this.total, byPath: { ...this.byPath }, byStatus: { ...this.byStatus } },
      faults: { ...this.faults },
      jobs: [...jobs],
    };
  }
}
