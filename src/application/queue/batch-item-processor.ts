// Settlement for a transport that deletes a message itself when it is not
// reported as failed (a Lambda SQS event-source mapping with
// ReportBatchItemFailures): a retry hides the message for its backoff and
// reports it failed; everything else reports success.
// Such a transport receives with the queue's visibility timeout, far longer
// than a delivery lease: each message of a known queue is brought to the
// lease at once and extended while its delivery runs (lease-keeper.ts), so a
// batch whose process dies is redelivered after one lease.
import type { Logger } from '../../ports/logger.js';
import type { MessageQueue, QueueChannel, ReceivedMessage } from '../../ports/message-queue.js';
import { errorMessage } from '../../domain/errors.js';
import { takeLease } from './lease-keeper.js';
import type { MessageProcessor } from './message-processor.js';

export interface BatchItemProcessor {
  /**
   * The channel of the physical queue `queueName` (from the transport's `source`
   * id), when it is one of this installation's; else undefined, and a warning
   * names the source once.
   */
  channelOf(source: string, queueName: string | undefined): QueueChannel | undefined;
  /**
   * True: done, let the transport delete it. False: report it as a batch item failure. Never throws.
   * `channel`: the queue it came from; when unknown its lease is left as received.
   */
  process(message: ReceivedMessage, channel: QueueChannel | undefined): Promise<boolean>;
}

export interface BatchItemSettings {
  /** The delivery lease, as the polling consumer keeps it. */
  leaseSeconds: number;
}

/** `processor` must extend the lease of messages whose channel it is given (`extendLease`). */
export function createBatchItemProcessor(processor: MessageProcessor, queue: MessageQueue, logger: Logger, settings: BatchItemSettings): BatchItemProcessor {
  const unknownSources = new Set<string>();
  return {
    channelOf(source, queueName) {
      const channel = queueName === undefined ? undefined : queue.channelNamed?.(queueName);
      if (!channel && !unknownSources.has(source)) {
        unknownSources.add(source);
        logger.warn('Messages come from a queue this installation cannot name as its workflow or step queue; their visibility is left as received', { source });
      }
      return channel;
    },
    async process(message, channel) {
      // Joins this moment's other lease changes of the queue in one batch request.
      const leasing = channel
        ? takeLease({ queue, channel, receipt: message.receipt, leaseSeconds: settings.leaseSeconds }, logger, message.messageId)
        : Promise.resolve();
      const disposition = await processor.process(channel, message);
      // A verdict never races the lease change: the retry's visibility is set after it.
      await leasing;
      if (disposition.kind === 'ack') {
        await disposition.afterAck?.();
        return true;
      }
      if (disposition.channel) {
        try {
          await queue.setVisibility(disposition.channel, message.receipt, disposition.visibilitySeconds);
        } catch (error) {
          // The lease (or the queue's own visibility timeout) applies instead.
          logger.warn('Could not set the retry delay of a failed message', { transportMessageId: message.messageId, error: errorMessage(error) });
        }
      }
      return false;
    },
  };
}
