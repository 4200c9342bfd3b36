// Keeps a received message hidden while its delivery is under way, by
// extending the visibility lease every half lease. If this process dies the
// extensions stop and the queue redelivers the message. The delivery's
// deadline (message-processor.ts) ends the wait, and with it the extensions.
// A message received by someone else with a longer visibility (a Lambda
// event-source mapping uses the queue's) is first brought to the lease.
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { MessageQueue, QueueChannel } from '../../ports/message-queue.js';

export interface LeaseTarget {
  queue: MessageQueue;
  channel: QueueChannel;
  receipt: string;
  leaseSeconds: number;
}

/**
 * Sets the message's visibility to the lease now, so it returns within one
 * lease if its holder dies. Never throws: on failure the message keeps the
 * visibility it was received with (logged, no payload).
 */
export async function takeLease(target: LeaseTarget, logger: Logger, transportMessageId: string): Promise<void> {
  try {
    await target.queue.setVisibility(target.channel, target.receipt, target.leaseSeconds);
  } catch (error) {
    logger.warn('Could not shorten a received message\'s visibility to the lease; it runs, and returns only after the visibility it was received with if this process dies', {
      channel: target.channel,
      transportMessageId,
      leaseSeconds: target.leaseSeconds,
      error: (error as Error).message,
    });
  }
}

/** Runs `work` while extending the lease; the extensions have stopped when it settles. */
export async function whileLeased<T>(target: LeaseTarget, clock: Clock, logger: Logger, work: () => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const extending = extendUntilStopped(target, clock, logger, stop.signal);
  try {
    return await work();
  } finally {
    stop.abort();
    await extending;
  }
}

async function extendUntilStopped(target: LeaseTarget, clock: Clock, logger: Logger, signal: AbortSignal): Promise<void> {
  const intervalMs = (target.leaseSeconds * 1000) / 2;
  while (!signal.aborted) {
    try {
      await clock.sleep(intervalMs, signal);
    } catch {
      return; // aborted
    }
    if (signal.aborted) return;
    try {
      await target.queue.setVisibility(target.channel, target.receipt, target.leaseSeconds);
    } catch (error) {
      logger.warn('Could not extend a queue message lease', { channel: target.channel, error: (error as Error).message });
    }
  }
}
