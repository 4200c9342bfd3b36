// The parts of the Lambda SQS event-source contract this handler uses
// (declared here to avoid a dependency on @types/aws-lambda).

export interface SqsMessageAttribute {
  stringValue?: string;
  dataType: string;
}

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: { ApproximateReceiveCount: string } & Record<string, string | undefined>;
  messageAttributes?: Record<string, SqsMessageAttribute>;
  eventSource?: string;
  eventSourceARN: string;
  awsRegion?: string;
}

export interface SqsEvent {
  Records: SqsRecord[];
}

/** The response an event-source mapping with `ReportBatchItemFailures` expects. */
export interface SqsBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** The queue name in an SQS queue ARN (`arn:<partition>:sqs:<region>:<account>:<name>`); undefined for anything else. */
export function queueNameOfArn(arn: string | undefined): string | undefined {
  const parts = (arn ?? '').split(':');
  return parts.length === 6 && parts[0] === 'arn' && parts[2] === 'sqs' && parts[5] ? parts[5] : undefined;
}
