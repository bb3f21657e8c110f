import { randomUUID } from 'node:crypto';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { IdempotencyConfig, IdempotencyPersistenceLayerError, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Outcome } from '../contracts/outcome';
import { buildNotification } from '../notify/notification';
import { publishKey } from '../watch/chain';
import { createBatchingNotificationSender, directNotificationSender, type SendNotification } from './batching-notification-sender';
import type { BatchGate } from './invocation-gate';

/** What the outcome published for a key said, as the idempotency record keeps it. */
export type PublishedSummary = Pick<Outcome, 'status' | 'hasErrors' | 'notificationId'>;

/** Publishes final outcomes, at most once per job. */
export interface OutcomePublisher {
  /**
   * Publishes unless this job's outcome was already published (by this poll chain or a
   * duplicate one). Throws when the publish or the idempotency store fails: the record
   * is then retried, and the idempotency record is released so the retry can publish.
   *
   * `lambdaContext` is the context of the invocation publishing: an in-progress record
   * expires with that invocation, should it crash. It is an argument, not state, because
   * invocations can run at the same time in one process (Lambda Managed Instances). The
   * caller checks that there is time to publish (`RecordTime.assertTimeForEffect`).
   */
  publish(outcome: Outcome, lambdaContext?: Context): Promise<PublishResult>;
  /**
   * The same publisher for one invocation: its SNS publishes wait at the invocation's gate and
   * go out together (`PublishBatch`). Absent: every publish is a request of its own.
   */
  forInvocation?(gate: BatchGate): OutcomePublisher;
}

export interface PublishResult {
  readonly published: boolean;
  readonly messageId: string;
  /**
   * What the outcome that is published for this job says: this one's when `published`, else
   * the earlier one's (a duplicate poll chain may have decided differently). Absent when not
   * known (records written before it was kept): the caller's own outcome stands in.
   */
  readonly stored?: PublishedSummary;
  /**
   * Requests the SDK made to SNS for this publish, when it published. Above 1 an earlier request
   * may have been carried out with its answer lost (a 5xx or a timeout after SNS took it), so
   * subscribers may get the outcome twice, with the same `notificationId`: worth a warning.
   */
  readonly snsAttempts?: number;
}

export interface SnsOutcomePublisherOptions {
  readonly sns: Pick<SNSClient, 'send'>;
  readonly topicArn: string;
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  /**
   * How long a job's "published" record is kept. It must outlive any duplicate poll chain:
   * the watch deadline, plus the DLQ's 14-day retention (a chain can be redriven from it).
   * `createDependencies` derives it from `MAX_WATCH_SECONDS`.
   * @default 15 days
   */
  readonly recordTtlSeconds?: number;
}

/** Keys do not depend on the function's name, so a renamed function still sees old records. */
const KEY_PREFIX = 'alation-job-watch#outcome';

/**
 * SNS publisher behind Powertools idempotency (DynamoDB), keyed on the job alone:
 * SQS delivers at least once, and a crash between a re-send and the delete of the original
 * forks a second poll chain; whichever chain reaches the end first publishes, the other
 * ends quietly. (SNS FIFO cannot deliver to email or HTTPS, so the duplicate check has to
 * happen before the publish.)
 */
export function createSnsOutcomePublisher(options: SnsOutcomePublisherOptions): OutcomePublisher {
  const expiresAfterSeconds = options.recordTtlSeconds ?? 15 * 24 * 3600;
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.dynamodb,
  });

  /** Message ids of this process's attempts whose Publish went through, until the attempt returns. */
  const delivered = new Map<string, string>();

  const publisherVia = (sendNotification: SendNotification): OutcomePublisher => {
    const sendOnce = async (payload: { key: string; attempt: string; outcome: Outcome }) => {
      const { messageId, attempts } = await sendNotification(buildNotification(payload.outcome));
      delivered.set(payload.attempt, messageId);
      return { attempt: payload.attempt, messageId, stored: summaryOf(payload.outcome), snsAttempts: attempts };
    };
    return {
      async publish(outcome, lambdaContext) {
        // One config per publish: Powertools reads the Lambda context from the config when it
        // writes the in-progress record, so a config shared by concurrent invocations would give
        // a record the expiry of another invocation. The persistence layer is shared (configured once).
        const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds, lambdaContext });
        const publishOnce = makeIdempotent(sendOnce, { persistenceStore, config, keyPrefix: KEY_PREFIX });
        const attempt = randomUUID();
        try {
          // Keyed on the job, or on the chain for a chain's verdict (`publishKey`).
          const stored = await publishOnce({ key: publishKey(outcome), attempt, outcome });
          const published = stored.attempt === attempt;
          return {
            published,
            messageId: stored.messageId,
            ...(stored.stored !== undefined && { stored: stored.stored }),
            ...(published && stored.snsAttempts !== undefined && { snsAttempts: stored.snsAttempts }),
          };
        } catch (error) {
          // SNS already has it, but the store refused to mark the record complete. Retrying the
          // record would publish again once the in-progress record expires: report it published.
          const messageId = delivered.get(attempt);
          if (messageId !== undefined && error instanceof IdempotencyPersistenceLayerError) return { published: true, messageId, stored: summaryOf(outcome) };
          throw error;
        } finally {
          delivered.delete(attempt);
        }
      },
      forInvocation: (gate) => publisherVia(createBatchingNotificationSender({ sns: options.sns, topicArn: options.topicArn, gate })),
    };
  };

  return publisherVia(directNotificationSender(options.sns, options.topicArn));
}

function summaryOf(outcome: Outcome): PublishedSummary {
  return { status: outcome.status, hasErrors: outcome.hasErrors, notificationId: outcome.notificationId };
}
