/**
 * The job-status Lambda: SQS batch → status check → re-send with a delay, or publish the
 * outcome. Wiring only; the logic lives in `shared/`. Configuration is read and validated
 * here, at cold start, so a bad variable fails the init with its name.
 */
import { createDependencies } from '../../shared/aws/dependencies';
import { loadConfig } from '../../shared/config';
import { createBatchHandler } from '../../shared/watch/batch-handler';

export const handler = createBatchHandler(createDependencies(loadConfig()));
