/** The function's required environment, as the CDK stack sets it, with example values. */
export const FUNCTION_ENV = {
  ALATION_BASE_URL: 'https://alation.example.com',
  ALATION_TOKEN_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:alation-token',
  WATCH_STATE_KEY_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:watch-state-key',
  JOB_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs-dlq',
  OUTCOME_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:outcomes',
  IDEMPOTENCY_TABLE_NAME: 'idempotency',
} as const;
