// MessageQueue on two SQS standard queues (workflow, step). Each redrives to
// its own DLQ after maxReceiveCount receives, which bootstrap configures.
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { MessageQueue, OutgoingMessage, QueueChannel, ReceivedMessage } from '../../../ports/message-queue.js';
import { toWorldError } from '../aws-errors.js';
import {
  SQS_MAX_DELAY_SECONDS,
  SQS_MAX_VISIBILITY_SECONDS,
  SQS_MAX_WAIT_SECONDS,
  STRING_ATTRIBUTE_TYPE,
  assertSeconds,
  assertSendable,
  receiveBatchSize,
} from './message-limits.js';
import { QueueUrlResolver, type QueueTarget } from './queue-url-resolver.js';

export interface SqsMessageQueueOptions {
  /** Longest delay per message, at most SQS's 900. */
  maxDelaySeconds: number;
  /** The queues' MaximumMessageSize; larger messages are refused before sending. */
  maxMessageBytes: number;
}

export class SqsMessageQueue implements MessageQueue {
  readonly maxDelaySeconds: number;
  readonly maxMessageBytes: number;
  private readonly urls: Record<QueueChannel, QueueUrlResolver>;

  constructor(
    private readonly client: SQSClient,
    targets: Record<QueueChannel, QueueTarget>,
    options: SqsMessageQueueOptions,
  ) {
    assertSeconds('maxDelaySeconds', options.maxDelaySeconds, 0, SQS_MAX_DELAY_SECONDS);
    this.maxDelaySeconds = options.maxDelaySeconds;
    this.maxMessageBytes = options.maxMessageBytes;
    this.urls = { workflow: new QueueUrlResolver(client, targets.workflow), step: new QueueUrlResolver(client, targets.step) };
  }

  async send(channel: QueueChannel, message: OutgoingMessage): Promise<{ messageId: string }> {
    assertSendable(message, this);
    try {
      const out = await this.client.send(
        new SendMessageCommand({
          QueueUrl: await this.urls[channel].url(),
          MessageBody: message.body,
          DelaySeconds: message.delaySeconds,
          MessageAttributes: toSqsAttributes(message.attributes),
        }),
      );
      if (!out.MessageId) throw new Error('SendMessage returned no MessageId');
      return { messageId: out.MessageId };
    } catch (error) {
      throw toWorldError(error, `SQS.SendMessage(${channel})`);
    }
  }

  async receive(
    channel: QueueChannel,
    options: { maxMessages: number; waitSeconds: number; visibilitySeconds: number; signal?: AbortSignal },
  ): Promise<ReceivedMessage[]> {
    const maxMessages = receiveBatchSize(options.maxMessages);
    assertSeconds('waitSeconds', options.waitSeconds, 0, SQS_MAX_WAIT_SECONDS);
    assertSeconds('visibilitySeconds', options.visibilitySeconds, 0, SQS_MAX_VISIBILITY_SECONDS);
    const { signal } = options;
    if (signal?.aborted) return [];
    try {
      const out = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: await this.urls[channel].url(),
          MaxNumberOfMessages: maxMessages,
          WaitTimeSeconds: options.waitSeconds,
          VisibilityTimeout: options.visibilitySeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      );
      return (out.Messages ?? []).map(toReceived);
    } catch (error) {
      // Shutdown cancels the long poll: nothing was received, and SQS keeps
      // anything it had not yet handed over.
      if (signal?.aborted) return [];
      throw toWorldError(error, `SQS.ReceiveMessage(${channel})`);
    }
  }

  async ack(channel: QueueChannel, receipt: string): Promise<void> {
    try {
      await this.client.send(new DeleteMessageCommand({ QueueUrl: await this.urls[channel].url(), ReceiptHandle: receipt }));
    } catch (error) {
      throw toWorldError(error, `SQS.DeleteMessage(${channel})`);
    }
  }

  async setVisibility(channel: QueueChannel, receipt: string, seconds: number): Promise<void> {
    assertSeconds('visibilitySeconds', seconds, 0, SQS_MAX_VISIBILITY_SECONDS);
    try {
      await this.client.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: await this.urls[channel].url(), ReceiptHandle: receipt, VisibilityTimeout: seconds }),
      );
    } catch (error) {
      throw toWorldError(error, `SQS.ChangeMessageVisibility(${channel})`);
    }
  }
}

function toSqsAttributes(attributes: Record<string, string> | undefined): Record<string, MessageAttributeValue> | undefined {
  const entries = Object.entries(attributes ?? {});
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([name, value]) => [name, { DataType: STRING_ATTRIBUTE_TYPE, StringValue: value }]));
}

function toReceived(message: Message): ReceivedMessage {
  if (!message.MessageId || !message.ReceiptHandle) throw new Error('ReceiveMessage returned a message without id or receipt handle');
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    // The world only sends string attributes; binary ones have no string form.
    if (value.StringValue !== undefined) attributes[name] = value.StringValue;
  }
  const count = Number(message.Attributes?.ApproximateReceiveCount);
  return {
    messageId: message.MessageId,
    receipt: message.ReceiptHandle,
    body: message.Body ?? '',
    attributes,
    // Always requested; a missing value can only mean a first delivery.
    receiveCount: Number.isInteger(count) && count >= 1 ? count : 1,
  };
}
