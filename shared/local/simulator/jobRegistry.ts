import { InvalidJobDefinitionError } from './errors';
import { parseJobDefinition } from './jobDefinition';
import { jobStatusAt, type SimulatedJob } from './jobStatus';
import type { AddedJob, JobStatusBody } from './types';

/** Per-job counters exposed through stats. */
export interface JobSummary {
  readonly id: number;
  readonly name?: string;
  readonly polls: number;
  readonly finished: boolean;
}

/**
 * The simulator's jobs, in memory. Time comes from the injected clock so tests can move a job
 * from `running` to finished without sleeping.
 */
export class JobRegistry {
  private readonly byId = new Map<number, SimulatedJob>();
  private readonly byName = new Map<string, SimulatedJob>();

  public constructor(private readonly now: () => number) {}

  /**
   * Registers a job; it starts running now.
   *
   * @throws InvalidJobDefinitionError when the definition is malformed or its id or name is taken
   */
  public add(input: unknown, field = 'job'): AddedJob {
    // Untrusted input (admin bodies) and typed callers alike: `preset` is only a string in JobDefinition.
    const definition = parseJobDefinition(input, field);
    const id = definition.id ?? this.nextId();
    if (this.byId.has(id)) throw new InvalidJobDefinitionError(`${field}.id`, `job id ${id} already exists`);
    if (definition.name !== undefined && this.byName.has(definition.name)) {
      throw new InvalidJobDefinitionError(`${field}.name`, 'a job with this name already exists');
    }
    const durationMs = definition.durationMs ?? 0;
    const isFollowUp = definition.preset === 'followUp';
    // nextId() is past every stored id, and id + 1 is past this (not yet stored) job's id.
    const followUpJobId = isFollowUp ? (definition.followUpJobId ?? Math.max(id + 1, this.nextId())) : undefined;
    if (followUpJobId === id) {
      throw new InvalidJobDefinitionError(`${field}.followUpJobId`, 'must differ from the job id');
    }

    const job: SimulatedJob = {
      id,
      ...(definition.name !== undefined ? { name: definition.name } : {}),
      createdAtMs: this.now(),
      durationMs,
      pollsBeforeDone: definition.pollsBeforeDone ?? 0,
      final: definition.body !== undefined ? { body: definition.body } : { preset: definition.preset ?? 'counts' },
      ...(followUpJobId !== undefined ? { followUpJobId } : {}),
      polls: 0,
    };
    this.store(job);

    // The second job must exist, or a client that follows the id would only ever see 404.
    if (followUpJobId !== undefined && !this.byId.has(followUpJobId)) {
      this.store({
        id: followUpJobId,
        createdAtMs: job.createdAtMs,
        durationMs: durationMs * 2,
        pollsBeforeDone: 0,
        final: { preset: 'counts' },
        polls: 0,
      });
    }
    return { id, ...(job.name !== undefined ? { name: job.name } : {}) };
  }

  public findById(id: number): SimulatedJob | undefined {
    return this.byId.get(id);
  }

  public findByName(name: string): SimulatedJob | undefined {
    return this.byName.get(name);
  }

  /** Answers a genuine poll: it counts towards `pollsBeforeDone` and may fix the finish time. */
  public poll(job: SimulatedJob): JobStatusBody {
    job.polls += 1;
    const answer = jobStatusAt(job, this.now(), job.polls);
    if (answer.finishedAtMs !== undefined) job.finishedAtMs ??= answer.finishedAtMs;
    return answer.body;
  }

  /** What the next genuine poll would answer, without counting it. */
  public peek(job: SimulatedJob): JobStatusBody {
    return jobStatusAt(job, this.now(), job.polls + 1).body;
  }

  public summaries(): JobSummary[] {
    return [...this.byId.values()].map((job) => ({
      id: job.id,
      ...(job.name !== undefined ? { name: job.name } : {}),
      polls: job.polls,
      finished: job.finishedAtMs !== undefined,
    }));
  }

  private store(job: SimulatedJob): void {
    this.byId.set(job.id, job);
    if (job.name !== undefined) this.byName.set(job.name, job);
  }

  private nextId(): number {
    return Math.max(0, ...this.byId.keys()) + 1;
  }
}
