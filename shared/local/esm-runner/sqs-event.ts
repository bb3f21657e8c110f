import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttribute, SQSMessageAttributes, SQSRecord } from 'aws-lambda';

/** Where the records come from; copied into every record as Lambda does. */
export interface RecordSource {
  readonly queueArn: string;
  readonly region: string;
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** SQS API attribute (`StringValue`, `DataType`) → Lambda's camel-case shape (`stringValue`, `dataType`). */
function toLambdaAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  return {
    ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
    ...(value.BinaryValue === undefined ? {} : { binaryValue: base64(value.BinaryValue) }),
    // Lambda always sends both list fields, empty: SQS reserves them and never fills them.
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map(base64),
    dataType: value.DataType ?? 'String',
  };
}

/**
 * One received SQS message as Lambda hands it to the function.
 * Pure: the same message always maps to the same record.
 */
export function toSqsRecord(message: Message, source: RecordSource): SQSRecord {
  const attributes = message.Attributes ?? {};
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = toLambdaAttribute(value);
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      // Lambda requests `All` system attributes; optional ones appear only when SQS sends them.
      ...attributes,
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
}

/** A received batch as the `SQSEvent` Lambda invokes the function with. */
export function toSqsEvent(messages: readonly Message[], source: RecordSource): SQSEvent {
  return { Records: messages.map((message) => toSqsRecord(message, source)) };
}
