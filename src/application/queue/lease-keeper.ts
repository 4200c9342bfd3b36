// Keeps a received message hidden while its handler is still running, by
// extending the visibility lease every half lease. If this process dies the
// extensions stop and the queue redelivers the message. A handler still
// running after `maxSeconds` is presumed hung: the extensions stop too, so the
// message is redelivered (as Lambda's timeout would) instead of the run
// waiting on it forever.
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { MessageQueue, QueueChannel } from '../../ports/message-queue.js';

export interface LeaseTarget {
  queue: MessageQueue;
  channel: QueueChannel;
  receipt: string;
  leaseSeconds: number;
  /** Stop extending after this long; default: never. */
  maxSeconds?: number;
  /** Ids for the log line when the extensions give up (never payloads). */
  logFields?: Record<string, string | number | undefined>;
  /** Another lease held for the same delivery (the idempotency key's), extended alongside. */
  alsoExtend?: () => Promise<void>;
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
  const giveUpAt = target.maxSeconds === undefined ? Infinity : clock.now() + target.maxSeconds * 1000;
  while (!signal.aborted) {
    try {
      await clock.sleep(intervalMs, signal);
    } catch {
      return; // aborted
    }
    if (signal.aborted) return;
    if (clock.now() + target.leaseSeconds * 1000 > giveUpAt) {
      logger.error('A handler is still running past the handler time limit; its message will be redelivered when its lease lapses', {
        channel: target.channel,
        maxSeconds: target.maxSeconds,
        ...target.logFields,
      });
      return;
    }
    try {
      await Promise.all([target.queue.setVisibility(target.channel, target.receipt, target.leaseSeconds), target.alsoExtend?.()]);
    } catch (error) {
      logger.warn('Could not extend a queue message lease', { channel: target.channel, error: (error as Error).message });
    }
  }
}
