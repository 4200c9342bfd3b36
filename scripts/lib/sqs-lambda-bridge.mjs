// A stand-in for AWS Lambda's SQS event-source mapping, for the tests and
// benchmarks that drive createLambdaHandler (the aws-lambda e2e target, the
// deployed-zip checks): it long-polls the emulator's queues, hands batches to
// the handler as SQS events, and deletes the records the handler did not report
// as failed, as the mapping does with ReportBatchItemFailures. Development
// only; production uses the real event-source mapping.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const BATCH_SIZE = 10;

/** Starts `pollersPerQueue` pollers per queue; returns `stop()` that waits for in-flight batches. */
export function startLambdaBridge({ handler, queueUrls, endpoint, region, pollersPerQueue = 4, log = () => {} }) {
  const client = new SQSClient({ endpoint, region });
  const abort = new AbortController();
  const loops = [];
  for (const [name, url] of Object.entries(queueUrls)) {
    for (let i = 0; i < pollersPerQueue; i++) loops.push(poll(name, url));
  }

  async function poll(name, url) {
    while (!abort.signal.aborted) {
      let messages;
      try {
        const out = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: BATCH_SIZE,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        messages = out.Messages ?? [];
      } catch (error) {
        if (abort.signal.aborted) return;
        log(`receive from ${name} failed: ${error?.name ?? error}`);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      if (messages.length === 0) continue;
      const event = { Records: messages.map((m) => toRecord(m, url, region)) };
      let response;
      try {
        response = await handler(event);
      } catch (error) {
        // A thrown handler fails the whole batch: every message is retried.
        log(`handler threw for a ${name} batch: ${error?.name ?? error}`);
        continue;
      }
      const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      const done = messages.filter((m) => !failed.has(m.MessageId));
      if (done.length > 0) {
        await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    }
  }

  return {
    async stop() {
      abort.abort();
      await Promise.allSettled(loops);
      client.destroy();
    },
  };
}

function toRecord(message, url, region) {
  const messageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = { stringValue: value.StringValue, dataType: value.DataType ?? 'String', stringListValues: [], binaryListValues: [] };
  }
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes: { ApproximateReceiveCount: '1', ...message.Attributes },
    messageAttributes,
    md5OfBody: message.MD5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${region}:000000000000:${url.split('/').pop()}`,
    awsRegion: region,
  };
}
