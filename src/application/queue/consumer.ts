// The polling consumer: long-polls both channels, runs at most `concurrency`
// messages at a time through the shared processor, and applies its verdict
// (ack, or hide for backoff). close() lets the current long polls return,
// processes what they bring, and drains in-flight work.
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { MessageQueue, QueueChannel, ReceivedMessage } from '../../ports/message-queue.js';
import { errorMessage } from './deliverer.js';
import type { MessageProcessor } from './message-processor.js';
import { Slots } from './slots.js';

/** SQS returns at most 10 messages per receive. */
const RECEIVE_BATCH_MAX = 10;
const RECEIVE_ERROR_PAUSE_MS = 1000;
const CHANNELS: readonly QueueChannel[] = ['workflow', 'step'];

export interface PollingConsumerDeps {
  queue: MessageQueue;
  processor: MessageProcessor;
  clock: Clock;
  logger: Logger;
  concurrency: number;
  visibilitySeconds: number;
  /** Long-poll wait per receive (SQS: at most 20). */
  pollWaitSeconds: number;
}

export interface PollingConsumer {
  /** Starts polling; idempotent, and a no-op once closed. */
  start(): void;
  /** Stops polling after the current long polls return, and waits for in-flight messages. Idempotent. */
  close(): Promise<void>;
}

export function createPollingConsumer(deps: PollingConsumerDeps): PollingConsumer {
  const { queue, processor, logger } = deps;
  const stop = new AbortController();
  const slots = new Slots(deps.concurrency);
  const inFlight = new Set<Promise<void>>();
  let pollers: Promise<void>[] = [];
  let started = false;

  async function settle(channel: QueueChannel, message: ReceivedMessage): Promise<void> {
    const disposition = await processor.process(channel, message);
    try {
      if (disposition.kind === 'ack') {
        await queue.ack(channel, message.receipt);
        await disposition.afterAck?.();
      } else {
        await queue.setVisibility(channel, message.receipt, disposition.visibilitySeconds);
      }
    } catch (error) {
      // The lease runs out and the queue redelivers: at-least-once still holds.
      logger.warn('Could not settle a queue message', { channel, transportMessageId: message.messageId, error: errorMessage(error) });
    }
  }

  function track(work: Promise<void>): void {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  async function runWhenSlotFree(channel: QueueChannel, message: ReceivedMessage): Promise<void> {
    await slots.acquire();
    try {
      await settle(channel, message);
    } finally {
      slots.release();
    }
  }

  async function poll(channel: QueueChannel): Promise<void> {
    while (await slots.waitForFree(stop.signal)) {
      let messages: ReceivedMessage[];
      try {
        // Not aborted on close: SQS may hand messages to a long poll whose
        // connection was dropped, hiding them for a whole visibility timeout.
        // close() waits for the poll instead (at most pollWaitSeconds).
        messages = await queue.receive(channel, {
          maxMessages: Math.min(RECEIVE_BATCH_MAX, slots.available || 1),
          waitSeconds: deps.pollWaitSeconds,
          visibilitySeconds: deps.visibilitySeconds,
        });
      } catch (error) {
        if (stop.signal.aborted) break;
        logger.warn('Receiving from the queue failed; pausing before the next poll', { channel, error: errorMessage(error) });
        await deps.clock.sleep(RECEIVE_ERROR_PAUSE_MS, stop.signal).catch(() => undefined);
        continue;
      }
      // Messages received while closing are still processed: that is the drain.
      // Both pollers may receive at once, so a few messages can wait for a slot
      // (bounded by the free count); handlers never exceed `concurrency`.
      for (const message of messages) track(runWhenSlotFree(channel, message));
    }
  }

  return {
    start() {
      if (started || stop.signal.aborted) return;
      started = true;
      pollers = CHANNELS.map((channel) => poll(channel));
      logger.info('Queue consumer started', { concurrency: deps.concurrency });
    },
    async close() {
      stop.abort();
      await Promise.all(pollers);
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
