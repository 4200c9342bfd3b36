// Settlement for a transport that deletes a message itself when it is not
// reported as failed (a Lambda SQS event-source mapping with
// ReportBatchItemFailures): a retry hides the message for its backoff and
// reports it failed; everything else reports success.
// Such a transport receives with the queue's visibility timeout, far longer
// than a delivery lease, and deletes only once the whole batch is answered.
// So each message of a known queue is brought to the lease at once and held
// (extended, lease-keeper.ts) until the batch is answered, or until it is
// hidden for its retry: a batch whose process dies is back after one lease,
// and a message done early never reappears while a slower one runs.
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { MessageQueue, QueueChannel, ReceivedMessage } from '../../ports/message-queue.js';
import { errorMessage } from '../../domain/errors.js';
import { takeLease, whileLeased } from './lease-keeper.js';
import type { Disposition, MessageProcessor } from './message-processor.js';

export interface BatchItem {
  message: ReceivedMessage;
  /** The queue it came from; when unknown its visibility is left as received. */
  channel: QueueChannel | undefined;
}

export interface BatchItemProcessor {
  /**
   * The channel of the physical queue `queueName` (from the transport's `source`
   * id), when it is one of this installation's; else undefined, and a warning
   * names the source once.
   */
  channelOf(source: string, queueName: string | undefined): QueueChannel | undefined;
  /** One verdict per item, in order. True: done, let the transport delete it. False: report it as a batch item failure. Never throws. */
  processBatch(items: BatchItem[]): Promise<boolean[]>;
}

export interface BatchItemSettings {
  /** The delivery lease, as the polling consumer keeps it. */
  leaseSeconds: number;
}

export function createBatchItemProcessor(
  processor: MessageProcessor,
  queue: MessageQueue,
  clock: Clock,
  logger: Logger,
  settings: BatchItemSettings,
): BatchItemProcessor {
  const unknownSources = new Set<string>();

  /** Hides a message to retry for its backoff; the queue's own visibility applies if that fails. */
  async function hideForRetry(message: ReceivedMessage, disposition: Extract<Disposition, { kind: 'retry' }>): Promise<void> {
    if (!disposition.channel) return;
    try {
      await queue.setVisibility(disposition.channel, message.receipt, disposition.visibilitySeconds);
    } catch (error) {
      logger.warn('Could not set the retry delay of a failed message', { transportMessageId: message.messageId, error: errorMessage(error) });
    }
  }

  /** Processes one item; it stays leased until `answered` resolves, or until it is hidden for its retry. */
  async function processItem({ message, channel }: BatchItem, answered: Promise<unknown>): Promise<{ done: boolean; settled: Promise<void> }> {
    if (!channel) {
      const disposition = await processor.process(undefined, message);
      if (disposition.kind === 'ack') return { done: true, settled: disposition.afterAck?.() ?? Promise.resolve() };
      await hideForRetry(message, disposition);
      return { done: false, settled: Promise.resolve() };
    }
    const target = { queue, channel, receipt: message.receipt, leaseSeconds: settings.leaseSeconds };
    // Started before anything awaits: joins the batch's other lease changes of this queue in one request.
    const leasing = takeLease(target, logger, message.messageId);
    let verdict!: (disposition: Disposition) => void;
    const decided = new Promise<Disposition>((resolve) => (verdict = resolve));
    const held = whileLeased(target, clock, logger, async () => {
      const disposition = await decided;
      // An acked message stays leased until the batch is answered (the transport deletes it then).
      if (disposition.kind === 'ack') await answered;
    });
    const disposition = await processor.process(channel, message);
    verdict(disposition);
    if (disposition.kind === 'ack') return { done: true, settled: Promise.all([leasing, held, disposition.afterAck?.()]).then(() => undefined) };
    // The retry's visibility is set after the lease change and the last extension.
    await Promise.all([leasing, held]);
    await hideForRetry(message, disposition);
    return { done: false, settled: Promise.resolve() };
  }

  return {
    channelOf(source, queueName) {
      const channel = queueName === undefined ? undefined : queue.channelNamed?.(queueName);
      if (!channel && !unknownSources.has(source)) {
        unknownSources.add(source);
        logger.warn('Messages come from a queue this installation cannot name as its workflow or step queue; their visibility is left as received', { source });
      }
      return channel;
    },
    async processBatch(items) {
      let answer!: () => void;
      const answered = new Promise<void>((resolve) => (answer = resolve));
      const results = await Promise.all(items.map((item) => processItem(item, answered)));
      answer();
      await Promise.all(results.map((r) => r.settled));
      return results.map((r) => r.done);
    },
  };
}
