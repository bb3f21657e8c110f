import { PRESETS, RUNNING_BODY, isPresetName, type PresetName } from './presets';
import { formatFinishedMessage } from './finishedMessage';
import type { FinalBodyDefinition, JobStatusBody } from './types';

/** A registered job and what has happened to it so far. */
export interface SimulatedJob {
  readonly id: number;
  readonly name?: string;
  readonly createdAtMs: number;
  readonly durationMs: number;
  readonly pollsBeforeDone: number;
  readonly final: { readonly preset: PresetName } | { readonly body: FinalBodyDefinition };
  /** Id of the second job a `followUp` job names. */
  readonly followUpJobId?: number;
  /** Genuine (unfaulted, authorised) polls answered so far. */
  polls: number;
  /** Fixed the first time a poll sees the job finished, so later polls repeat the same `msg`. */
  finishedAtMs?: number;
}

/** The answer to one poll and the finish time it implies. */
export interface JobStatusAnswer {
  readonly body: JobStatusBody;
  /** Set once the job has finished; the caller stores it on the job. */
  readonly finishedAtMs?: number;
}

/**
 * Decides what poll number `pollNumber` (1-based) of `job` answers at `nowMs`. Pure: the caller
 * decides whether the poll counts (genuine polls do, faulted requests and peeks do not).
 */
export function jobStatusAt(job: SimulatedJob, nowMs: number, pollNumber: number): JobStatusAnswer {
  const preset = 'preset' in job.final && isPresetName(job.final.preset) ? PRESETS[job.final.preset] : undefined;
  if (preset !== undefined && !preset.finishes) return { body: RUNNING_BODY };

  const dueAtMs = job.createdAtMs + job.durationMs;
  if (nowMs < dueAtMs || pollNumber <= job.pollsBeforeDone) return { body: RUNNING_BODY };

  // A time-only job finished exactly when its duration ran out, whenever it is polled; a job that
  // also waits for polls finished no earlier than the poll that released it.
  const finishedAtMs = job.finishedAtMs ?? (job.pollsBeforeDone > 0 ? Math.max(dueAtMs, nowMs) : dueAtMs);
  const context = {
    durationMs: finishedAtMs - job.createdAtMs,
    finishedAtMs,
    followUpJobId: job.followUpJobId ?? 0,
  };
  if (preset !== undefined) return { body: preset.body(context), finishedAtMs };

  const explicit = (job.final as { readonly body: FinalBodyDefinition }).body;
  return {
    body: {
      status: explicit.status,
      msg: explicit.msg ?? formatFinishedMessage(context.durationMs, finishedAtMs),
      result: explicit.result,
    },
    finishedAtMs,
  };
}
