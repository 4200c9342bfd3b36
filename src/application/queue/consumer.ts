// The polling consumer: long-polls both channels, runs at most `concurrency`
// messages at a time through the shared processor, and applies its verdict
// (ack, or hide for backoff). close() stops polling and lets the polls in
// flight end by themselves (an aborted poll may still be handed messages by
// SQS, which then stay hidden for the receive lease), hands every message
// received but not started back to the queue (visibility 0, so another process
// takes them at once) and drains the messages already being handled.
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { MessageQueue, QueueChannel, ReceivedMessage } from '../../ports/message-queue.js';
import { errorMessage } from '../../domain/errors.js';
import type { MessageProcessor } from './message-processor.js';
import { receiveFailures } from './receive-failures.js';
import { Slots } from './slots.js';

/** SQS returns at most 10 messages per receive. */
const RECEIVE_BATCH_MAX = 10;
/**
 * Messages are received with this short lease: a message that SQS hands to a
 * long poll whose process died (or that close() had to abort) is back on the
 * queue after this, not after a whole lease. A message still unsettled after
 * half of it is extended to the full lease; most settle sooner and cost no request.
 */
const RECEIVE_LEASE_SECONDS = 5;
/** close() waits this long past the poll wait for a poll's answer (a slow network) before aborting it. */
const CLOSE_MARGIN_MS = 1_000;
const CHANNELS: readonly QueueChannel[] = ['workflow', 'step'];

interface Lease {
  settled(): Promise<void>;
}

export interface PollingConsumerDeps {
  queue: MessageQueue;
  processor: MessageProcessor;
  clock: Clock;
  logger: Logger;
  concurrency: number;
  visibilitySeconds: number;
  /** Long-poll wait per receive (SQS: 1 to 20); close() takes up to this long while idle. */
  pollWaitSeconds: number;
  /** How long close() lets a long poll end by itself before aborting it. Default: the poll wait plus CLOSE_MARGIN_MS. */
  closeGraceMs?: number;
}

export interface PollingConsumer {
  /** Starts polling; idempotent, and a no-op once closed. */
  start(): void;
  /** Stops polling, lets the polls in flight end, releases received messages not yet started, and waits for those being handled. Idempotent. */
  close(): Promise<void>;
}

export function createPollingConsumer(deps: PollingConsumerDeps): PollingConsumer {
  const { queue, processor, logger } = deps;
  const stop = new AbortController();
  /** Aborts the long polls: only a poll that outlives its wait by `closeGraceMs` on close (a stalled connection). */
  const abortPolls = new AbortController();
  const closeGraceMs = deps.closeGraceMs ?? deps.pollWaitSeconds * 1000 + CLOSE_MARGIN_MS;
  const slots = new Slots(deps.concurrency);
  const inFlight = new Set<Promise<void>>();
  /** Received, waiting for a slot: released on close instead of started. */
  const waiting = new Map<ReceivedMessage, { channel: QueueChannel; leased: Lease }>();
  let pollers: Promise<void>[] = [];
  let started = false;
  /** Shared by both channels: a configuration problem is logged once, not per channel. */
  const receiveFailed = receiveFailures(logger);

  async function settle(channel: QueueChannel, message: ReceivedMessage, leased: Lease): Promise<void> {
    const disposition = await processor.process(channel, message);
    await leased.settled();
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

  async function runWhenSlotFree(channel: QueueChannel, message: ReceivedMessage, leased: Lease): Promise<void> {
    waiting.set(message, { channel, leased });
    await slots.acquire();
    try {
      if (!waiting.delete(message)) return; // released by close()
      await settle(channel, message, leased);
    } finally {
      slots.release();
    }
  }

  /** Extends the short receive lease to the full one (one batch request for the whole receive). */
  async function takeLease(channel: QueueChannel, message: ReceivedMessage): Promise<void> {
    try {
      await queue.setVisibility(channel, message.receipt, deps.visibilitySeconds);
    } catch (error) {
      // It reappears after the short lease; the copy is recognised and hidden again then.
      logger.warn('Could not extend the lease of a received message', { channel, transportMessageId: message.messageId, error: errorMessage(error) });
    }
  }

  /**
   * The full lease, taken only if the message is still unsettled when half the
   * short receive lease has passed (one request, batched with others due then).
   * `settled()` cancels it if not yet taken, else waits for it, so a verdict
   * never races the extension.
   */
  function leaseIfSlow(channel: QueueChannel, message: ReceivedMessage): Lease {
    if (deps.visibilitySeconds <= RECEIVE_LEASE_SECONDS) return { settled: async () => undefined };
    const cancel = new AbortController();
    const taking = deps.clock.sleep((RECEIVE_LEASE_SECONDS * 1000) / 2, cancel.signal).then(
      () => takeLease(channel, message),
      () => undefined,
    );
    return {
      settled: async () => {
        cancel.abort();
        await taking;
      },
    };
  }

  /** Makes a received message visible again at once, so a restarted or other process takes it without waiting out its lease. */
  async function release(channel: QueueChannel, message: ReceivedMessage): Promise<void> {
    try {
      await queue.setVisibility(channel, message.receipt, 0);
    } catch (error) {
      logger.warn('Could not release a received message on close; it returns when its lease ends', {
        channel,
        transportMessageId: message.messageId,
        error: errorMessage(error),
      });
    }
  }

  async function poll(channel: QueueChannel): Promise<void> {
    while (await slots.waitForFree(stop.signal)) {
      let messages: ReceivedMessage[];
      try {
        // Not aborted on close while it may still end by itself: SQS can hand
        // an aborted request messages, which nobody could then release.
        messages = await queue.receive(channel, {
          maxMessages: Math.min(RECEIVE_BATCH_MAX, slots.available || 1),
          waitSeconds: deps.pollWaitSeconds,
          visibilitySeconds: Math.min(RECEIVE_LEASE_SECONDS, deps.visibilitySeconds),
          signal: abortPolls.signal,
        });
      } catch (error) {
        if (stop.signal.aborted) break;
        await deps.clock.sleep(receiveFailed.failed(channel, error), stop.signal).catch(() => undefined);
        continue;
      }
      receiveFailed.succeeded();
      // Both pollers may receive at once, so a few messages can wait for a slot
      // (bounded by the free count); handlers never exceed `concurrency`.
      // A poll that ends after close() hands its messages straight back (one
      // ChangeMessageVisibilityBatch per channel, visibility 0).
      if (stop.signal.aborted) {
        for (const message of messages) track(release(channel, message));
        break;
      }
      for (const message of messages) track(runWhenSlotFree(channel, message, leaseIfSlow(channel, message)));
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
      const graceOver = new AbortController();
      void deps.clock.sleep(closeGraceMs, graceOver.signal, { unref: true }).then(
        () => abortPolls.abort(),
        () => undefined,
      );
      await Promise.all(pollers);
      graceOver.abort();
      abortPolls.abort();
      for (const [message, { channel, leased }] of [...waiting]) {
        waiting.delete(message);
        // After any full lease being taken, or that change would hide the released message again.
        track(leased.settled().then(() => release(channel, message)));
      }
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
