// MessageQueue on two SQS standard queues (workflow, step). Each redrives to
// its own DLQ after maxReceiveCount receives, which bootstrap configures.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type BatchResultErrorEntry,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { WorkflowWorldError } from '@workflow/errors';
import type { MessageQueue, OutgoingMessage, QueueChannel, ReceivedMessage } from '../../../ports/message-queue.js';
import { toWorldError } from '../aws-errors.js';
import { accessProblem } from '../access-problems.js';
import { ServiceAccessError } from '../../../ports/service-access.js';
import {
  SQS_MAX_DELAY_SECONDS,
  SQS_MAX_VISIBILITY_SECONDS,
  STRING_ATTRIBUTE_TYPE,
  assertSeconds,
  assertSendable,
  messageSize,
  checkReceive,
} from './message-limits.js';
import { RequestBatcher, type EntryResult } from './request-batcher.js';
import { QueueUrlResolver, type QueueTarget } from './queue-url-resolver.js';

export interface SqsMessageQueueOptions {
  /** Longest delay per message, at most SQS's 900. */
  maxDelaySeconds: number;
  /** The queues' MaximumMessageSize; larger messages are refused before sending. */
  maxMessageBytes: number;
}

/** SQS's limit on entries per SendMessageBatch and DeleteMessageBatch. */
const SQS_MAX_BATCH_ENTRIES = 10;
/** Batch requests out at once per channel and kind; more entries wait for one of them (one round trip). */
const MAX_BATCHES_IN_FLIGHT = 4;
/** Rough size of a receipt handle, for the delete batcher's byte budget (not limited by SQS). */
const RECEIPT_SIZE = 1;

export class SqsMessageQueue implements MessageQueue {
  readonly maxDelaySeconds: number;
  readonly maxMessageBytes: number;
  private readonly urls: Record<QueueChannel, QueueUrlResolver>;
  private readonly targets: Record<QueueChannel, QueueTarget>;
  private readonly senders: Record<QueueChannel, RequestBatcher<OutgoingMessage, { messageId: string }>>;
  private readonly deleters: Record<QueueChannel, RequestBatcher<string, void>>;
  private readonly leasers: Record<QueueChannel, RequestBatcher<{ receipt: string; seconds: number }, void>>;

  constructor(
    private readonly client: SQSClient,
    targets: Record<QueueChannel, QueueTarget>,
    options: SqsMessageQueueOptions,
  ) {
    assertSeconds('maxDelaySeconds', options.maxDelaySeconds, 0, SQS_MAX_DELAY_SECONDS);
    this.maxDelaySeconds = options.maxDelaySeconds;
    this.maxMessageBytes = options.maxMessageBytes;
    this.targets = targets;
    this.urls = { workflow: new QueueUrlResolver(client, targets.workflow), step: new QueueUrlResolver(client, targets.step) };
    const senders = (channel: QueueChannel) =>
      new RequestBatcher<OutgoingMessage, { messageId: string }>({
        maxEntries: SQS_MAX_BATCH_ENTRIES,
        // SQS allows 1 MiB per batch; the queue's maximum message size (never more) keeps us within it.
        maxBytes: this.maxMessageBytes,
        sizeOf: messageSize,
        maxInFlight: MAX_BATCHES_IN_FLIGHT,
        run: (messages) => this.sendBatch(channel, messages),
      });
    const deleters = (channel: QueueChannel) =>
      new RequestBatcher<string, void>({
        maxEntries: SQS_MAX_BATCH_ENTRIES,
        maxBytes: SQS_MAX_BATCH_ENTRIES * RECEIPT_SIZE,
        sizeOf: () => RECEIPT_SIZE,
        maxInFlight: MAX_BATCHES_IN_FLIGHT,
        run: (receipts) => this.deleteBatch(channel, receipts),
      });
    const leasers = (channel: QueueChannel) =>
      new RequestBatcher<{ receipt: string; seconds: number }, void>({
        maxEntries: SQS_MAX_BATCH_ENTRIES,
        maxBytes: SQS_MAX_BATCH_ENTRIES * RECEIPT_SIZE,
        sizeOf: () => RECEIPT_SIZE,
        maxInFlight: MAX_BATCHES_IN_FLIGHT,
        run: (entries) => this.visibilityBatch(channel, entries),
      });
    this.senders = { workflow: senders('workflow'), step: senders('step') };
    this.leasers = { workflow: leasers('workflow'), step: leasers('step') };
    this.deleters = { workflow: deleters('workflow'), step: deleters('step') };
  }

  /** Sent with the other messages of this moment in one SendMessageBatch. */
  async send(channel: QueueChannel, message: OutgoingMessage): Promise<{ messageId: string }> {
    assertSendable(message, this);
    return this.senders[channel].add(message);
  }

  private async sendBatch(channel: QueueChannel, messages: OutgoingMessage[]): Promise<EntryResult<{ messageId: string }>[]> {
    const operation = `SQS.SendMessageBatch(${channel})`;
    try {
      const out = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: await this.urls[channel].url(),
          Entries: messages.map((message, i) => ({
            Id: String(i),
            MessageBody: message.body,
            DelaySeconds: message.delaySeconds,
            MessageAttributes: toSqsAttributes(message.attributes),
          })),
        }),
      );
      const sent = new Map((out.Successful ?? []).map((entry) => [entry.Id, entry.MessageId]));
      const failed = new Map((out.Failed ?? []).map((entry) => [entry.Id, entry]));
      return messages.map((_, i): EntryResult<{ messageId: string }> => {
        const messageId = sent.get(String(i));
        if (messageId) return { ok: true, value: { messageId } };
        return { ok: false, error: entryError(failed.get(String(i)), operation) };
      });
    } catch (error) {
      throw toWorldError(error, operation);
    }
  }

  private async deleteBatch(channel: QueueChannel, receipts: string[]): Promise<EntryResult<void>[]> {
    const operation = `SQS.DeleteMessageBatch(${channel})`;
    try {
      const out = await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: await this.urls[channel].url(),
          Entries: receipts.map((receipt, i) => ({ Id: String(i), ReceiptHandle: receipt })),
        }),
      );
      const deleted = new Set((out.Successful ?? []).map((entry) => entry.Id));
      const failed = new Map((out.Failed ?? []).map((entry) => [entry.Id, entry]));
      return receipts.map((_, i): EntryResult<void> =>
        deleted.has(String(i)) ? { ok: true, value: undefined } : { ok: false, error: entryError(failed.get(String(i)), operation) },
      );
    } catch (error) {
      throw toWorldError(error, operation);
    }
  }

  async receive(
    channel: QueueChannel,
    options: { maxMessages: number; waitSeconds: number; visibilitySeconds: number; signal?: AbortSignal },
  ): Promise<ReceivedMessage[]> {
    const maxMessages = checkReceive(options);
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
      // A cancelled long poll answers nothing here, but SQS may still hand the
      // request messages after the client has gone: they stay hidden for
      // `visibilitySeconds`, with no receipt to release them (the consumer
      // aborts only a poll that outlived its wait).
      if (signal?.aborted) return [];
      // Credentials, endpoint or region: no retry helps until the configuration changes.
      const problem = accessProblem(error, 'sqs');
      if (problem) throw new ServiceAccessError(problem, { cause: error });
      throw toWorldError(error, `SQS.ReceiveMessage(${channel})`);
    }
  }

  /** Deleted with the other acknowledgements of this moment in one DeleteMessageBatch. */
  async ack(channel: QueueChannel, receipt: string): Promise<void> {
    return this.deleters[channel].add(receipt);
  }

  /** Changed with the other lease changes of this moment in one ChangeMessageVisibilityBatch. */
  async setVisibility(channel: QueueChannel, receipt: string, seconds: number): Promise<void> {
    assertSeconds('visibilitySeconds', seconds, 0, SQS_MAX_VISIBILITY_SECONDS);
    return this.leasers[channel].add({ receipt, seconds });
  }

  /** By the configured name, or the last path segment of the configured URL (SQS URLs end in the queue name). */
  channelNamed(queueName: string): QueueChannel | undefined {
    const named = (target: QueueTarget): string | undefined => ('name' in target ? target.name : target.url.split('?')[0]!.split('/').filter(Boolean).pop());
    if (named(this.targets.workflow) === queueName) return 'workflow';
    if (named(this.targets.step) === queueName) return 'step';
    return undefined;
  }

  private async visibilityBatch(channel: QueueChannel, entries: Array<{ receipt: string; seconds: number }>): Promise<EntryResult<void>[]> {
    const operation = `SQS.ChangeMessageVisibilityBatch(${channel})`;
    try {
      const out = await this.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: await this.urls[channel].url(),
          Entries: entries.map((entry, i) => ({ Id: String(i), ReceiptHandle: entry.receipt, VisibilityTimeout: entry.seconds })),
        }),
      );
      const changed = new Set((out.Successful ?? []).map((entry) => entry.Id));
      const failed = new Map((out.Failed ?? []).map((entry) => [entry.Id, entry]));
      return entries.map((_, i): EntryResult<void> =>
        changed.has(String(i)) ? { ok: true, value: undefined } : { ok: false, error: entryError(failed.get(String(i)), operation) },
      );
    } catch (error) {
      throw toWorldError(error, operation);
    }
  }
}

/** A batch entry's failure: the sender's fault keeps SQS's 400; anything else is retryable (503). */
function entryError(failure: BatchResultErrorEntry | undefined, operation: string): WorkflowWorldError {
  if (!failure) return new WorkflowWorldError(`${operation} reported neither success nor failure for an entry`, { status: 503, code: 'BATCH_ENTRY_MISSING' });
  const message = `${operation} failed for an entry: ${failure.Code ?? 'Error'}${failure.Message ? `: ${failure.Message}` : ''}`;
  return new WorkflowWorldError(message, { status: failure.SenderFault ? 400 : 503, code: failure.Code ?? 'BATCH_ENTRY_FAILED' });
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
