// What happens to one received message, shared by the polling consumer and
// the Lambda handler. Every follow-up message (next hop, reschedule) is sent
// BEFORE the caller acknowledges the current one, so a crash in between causes
// a duplicate, never a lost wake-up.
import { backoffSeconds } from '../../domain/backoff.js';
import { dueAtAfter, isDue, nextHopSeconds } from '../../domain/delay-schedule.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Clock } from '../../ports/clock.js';
import type { DeliveryStart, IdempotencyStore } from '../../ports/idempotency-store.js';
import type { LogFields, Logger } from '../../ports/logger.js';
import type { MessageQueue, QueueChannel, ReceivedMessage } from '../../ports/message-queue.js';
import { discardPayload, isMissingPayload, resolvePayload, sendTransportBody, toTransportBody } from './claim-check.js';
import type { Deliverer } from './deliverer.js';
import { errorMessage } from '../../domain/errors.js';
import { channelOf, decodeEnvelope, payloadIds, type Envelope, type WireEnvelope } from './envelope.js';
import type { DeliveryResult } from './delivery-protocol.js';
import { whileLeased } from './lease-keeper.js';
import { LocalCoordination } from './local-coordination.js';

export interface ProcessorSettings {
  maxHopSeconds: number;
  maxMessageBytes: number;
  maxReceiveCount: number;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  idempotencyWindowSeconds: number;
  /** When set, the lease is extended by this much while a delivery runs (polling consumer). */
  leaseSeconds?: number;
  /** With leaseSeconds: how long a delivery may hold its lease before it is presumed hung. */
  maxHandlerSeconds?: number;
  /**
   * The handler takes a keyed step message's delivery lease itself, in the
   * same write as its replay check (signed HTTP delivery with a shared secret):
   * the consumer only signs, and releases the lease by its signing time.
   */
  leaseAtHandler?: boolean;
}

export interface ProcessorDeps {
  queue: MessageQueue;
  blobStore: BlobStore;
  idempotencyStore: IdempotencyStore;
  deliverer: Deliverer;
  clock: Clock;
  logger: Logger;
  /** In [0, 1), for backoff jitter. */
  random: () => number;
  settings: ProcessorSettings;
  /** What this process knows of its own deliveries; default: private to this processor. */
  local?: LocalCoordination;
}

export type Disposition =
  /** Acknowledge; then run `afterAck` (best effort). */
  | { kind: 'ack'; afterAck?: () => Promise<void> }
  /** Leave unacknowledged and hidden for this long; the queue redelivers it. `channel` is unknown only for an undecodable message without a hint. */
  | { kind: 'retry'; visibilitySeconds: number; channel?: QueueChannel };

export interface MessageProcessor {
  /** `channel` is the queue the message came from; when unknown it is taken from the envelope. Never throws. */
  process(channel: QueueChannel | undefined, message: ReceivedMessage): Promise<Disposition>;
}

/** How long a copy of an in-flight message is hidden when no lease length is known (Lambda). */
const DEFAULT_COPY_DEFER_SECONDS = 60;
const MAX_DEFER_SECONDS = 43_200;

export function createMessageProcessor(deps: ProcessorDeps): MessageProcessor {
  const { queue, blobStore, clock, logger, settings } = deps;
  const local = deps.local ?? new LocalCoordination();
  /** The key's delivery lease: the queue lease when it is extended, else the handler time limit (Lambda). */
  const deliveryLeaseSeconds = settings.leaseSeconds ?? settings.maxHandlerSeconds ?? DEFAULT_COPY_DEFER_SECONDS;

  function retry(message: ReceivedMessage, channel: QueueChannel | undefined, reason: string, fields: LogFields): Disposition {
    const visibilitySeconds = backoffSeconds(
      message.receiveCount,
      { baseSeconds: settings.retryBaseSeconds, capSeconds: settings.retryMaxSeconds },
      deps.random,
    );
    const context = { ...fields, transportMessageId: message.messageId, attempt: message.receiveCount, reason };
    if (message.receiveCount >= settings.maxReceiveCount) {
      logger.error('Queue message failed its last delivery attempt; the queue moves it to the dead-letter queue and its run will not progress until it is redriven', context);
    } else {
      logger.warn('Queue message delivery failed; retrying with backoff', { ...context, retryInSeconds: visibilitySeconds });
    }
    return { kind: 'retry', visibilitySeconds, channel };
  }

  function discardAfterAck(wire: WireEnvelope, fields: LogFields): () => Promise<void> {
    return async () => {
      try {
        await discardPayload(wire, blobStore);
      } catch (error) {
        logger.warn('Could not delete an offloaded queue payload', { ...fields, error: errorMessage(error) });
      }
    };
  }

  /** Runs `run` while the message (and its key) stay leased: also while it waits for its run's earlier replay. */
  async function leased<T>(channel: QueueChannel, message: ReceivedMessage, envelope: Envelope, key: string | undefined, run: () => Promise<T>) {
    if (settings.leaseSeconds === undefined) return run();
    const leaseSeconds = settings.leaseSeconds;
    const target = {
      queue,
      channel,
      receipt: message.receipt,
      leaseSeconds,
      maxSeconds: settings.maxHandlerSeconds,
      logFields: { transportMessageId: message.messageId, messageId: envelope.id, ...payloadIds(envelope.payload) },
      alsoExtend: key ? () => deps.idempotencyStore.extendDelivery(key, envelope.id, leaseSeconds) : undefined,
    };
    return whileLeased(target, clock, logger, run);
  }

  async function sendFollowUp(channel: QueueChannel, wire: WireEnvelope, dueAt: number | undefined): Promise<number> {
    const transport = await toTransportBody({ ...wire, dueAt }, blobStore, settings.maxMessageBytes);
    const delaySeconds = nextHopSeconds(dueAt, clock.now(), settings.maxHopSeconds);
    await sendTransportBody(queue, blobStore, channel, transport, delaySeconds);
    return delaySeconds;
  }

  async function handle(channelHint: QueueChannel | undefined, message: ReceivedMessage): Promise<Disposition> {
    let wire: WireEnvelope;
    try {
      wire = decodeEnvelope(message.body);
    } catch (error) {
      return retry(message, channelHint, `undecodable message: ${errorMessage(error)}`, { channel: channelHint });
    }
    const channel = channelHint ?? channelOf(wire.queueName);
    const fields: LogFields = { queueName: wire.queueName, messageId: wire.id, channel };

    // Not yet due: chain the next hop, never reaching the runtime. The body is
    // re-sent unchanged: it carries the absolute due time.
    const now = clock.now();
    if (!isDue(wire.dueAt, now)) {
      try {
        const delaySeconds = nextHopSeconds(wire.dueAt, now, settings.maxHopSeconds);
        await queue.send(channel, { body: message.body, delaySeconds });
        logger.debug('Queue message not yet due; chained the next hop', { ...fields, delaySeconds });
        return { kind: 'ack' };
      } catch (error) {
        return retry(message, channel, `could not chain the next hop: ${errorMessage(error)}`, fields);
      }
    }

    let envelope: Envelope;
    try {
      envelope = await resolvePayload(wire, blobStore);
    } catch (error) {
      if (isMissingPayload(error)) {
        // The blob is deleted only after the final ack: this is a duplicate of a finished message.
        logger.warn('Offloaded queue payload is gone; dropping the message as a duplicate of a finished one', fields);
        return { kind: 'ack' };
      }
      return retry(message, channel, `could not fetch the offloaded payload: ${errorMessage(error)}`, fields);
    }
    Object.assign(fields, payloadIds(envelope.payload));

    return deliverOnce(channel, message, wire, envelope, fields);
  }

  /**
   * The handler runs once per message id: a copy that arrives while the
   * message is in flight is hidden until that delivery's lease ends, and one
   * that arrives after it succeeded is acked. In process this costs nothing;
   * across processes the delivery lease of the step's idempotency key decides.
   */
  async function deliverOnce(
    channel: QueueChannel,
    message: ReceivedMessage,
    wire: WireEnvelope,
    envelope: Envelope,
    fields: LogFields,
  ): Promise<Disposition> {
    const id = envelope.id;
    if (local.done.has(id)) {
      logger.debug('Dropping a copy of a message already handled here', fields);
      return { kind: 'ack' };
    }
    if (local.inFlight.has(id)) return deferCopy(channel, settings.leaseSeconds ?? DEFAULT_COPY_DEFER_SECONDS, fields);
    local.inFlight.add(id);
    try {
      const key = channelOf(envelope.queueName) === 'step' ? envelope.idempotencyKey : undefined;
      let attempt = message.receiveCount;
      // Handler-side lease: identified by the signing time, taken by the handler.
      const signedAt = key && settings.leaseAtHandler ? clock.now() : undefined;
      if (key && signedAt === undefined) {
        let start: DeliveryStart;
        try {
          start = await deps.idempotencyStore.beginDelivery(key, id, deliveryLeaseSeconds, settings.idempotencyWindowSeconds);
        } catch (error) {
          return retry(message, channel, `could not take the delivery lease: ${errorMessage(error)}`, fields);
        }
        if (start.kind === 'replayed') return retry(message, channel, 'the delivery lease reported a replay', fields);
        if (start.kind === 'superseded') {
          logger.debug('Dropping a duplicate step message (its idempotency key belongs to another message)', fields);
          local.done.set(id, true);
          return { kind: 'ack', afterAck: discardAfterAck(wire, fields) };
        }
        if (start.kind === 'busy') return deferCopy(channel, Math.ceil((start.leaseEndsAt - clock.now()) / 1000) + 1, fields);
        attempt = start.attempt;
      }
      const runId = channelOf(envelope.queueName) === 'workflow' ? payloadIds(envelope.payload).runId : undefined;
      const run = async () => {
        local.begun.set(id, true);
        // Cleared before the replay reads the log: a wake-up committed after this point sends a new message.
        if (runId && envelope.wake) await deps.idempotencyStore.clearWakeup(runId, id);
        return deps.deliverer.deliver(envelope, attempt, signedAt);
      };
      let result: DeliveryResult;
      try {
        // One replay of a run at a time in this process.
        result = await leased(channel, message, envelope, key, () => (runId ? local.serialized(runId, run) : run()));
      } catch (error) {
        return retry(message, channel, `could not clear the run's wake-up mark: ${errorMessage(error)}`, fields);
      }
      return await settle(channel, message, wire, fields, result, key, signedAt);
    } finally {
      local.inFlight.delete(id);
    }
  }

  async function settle(
    channel: QueueChannel,
    message: ReceivedMessage,
    wire: WireEnvelope,
    fields: LogFields,
    result: DeliveryResult,
    key: string | undefined,
    signedAt: number | undefined,
  ): Promise<Disposition> {
    // Frees the key's lease for the next delivery of this message (a retry or the rescheduled message).
    const release = async (resetAttempts: boolean) => {
      if (!key) return;
      await deps.idempotencyStore.releaseDelivery(key, wire.id, resetAttempts, signedAt).catch((error) => {
        logger.warn('Could not release a delivery lease; the next delivery waits for it to lapse', { ...fields, error: errorMessage(error) });
      });
    };
    switch (result.kind) {
      case 'done':
        local.done.set(wire.id, true);
        // Ends a paced gap of the step's run early once none of its steps is left here.
        if (channel === 'step' && typeof fields.runId === 'string') local.stepDone(fields.runId, wire.id);
        return { kind: 'ack', afterAck: discardAfterAck(wire, fields) };
      case 'reschedule':
        // A new message (fresh receive count, same envelope id) before the ack.
        try {
          const dueAt = dueAtAfter(result.timeoutSeconds, clock.now());
          const delaySeconds = await sendFollowUp(channel, wire, dueAt);
          logger.debug('Handler asked for a later redelivery', { ...fields, timeoutSeconds: result.timeoutSeconds, delaySeconds });
          await release(true);
          return { kind: 'ack' };
        } catch (error) {
          await release(false);
          return retry(message, channel, `could not reschedule: ${errorMessage(error)}`, fields);
        }
      case 'busy':
        // The handler found another copy holding the key's lease: nothing ran, nothing to release.
        return deferCopy(channel, Math.ceil((result.leaseEndsAt - clock.now()) / 1000) + 1, fields);
      case 'failed':
        await release(false);
        return retry(message, channel, result.reason, fields);
    }
  }

  /** A copy of a message in flight: hidden, not failed, so no retry is counted or logged. */
  function deferCopy(channel: QueueChannel, seconds: number, fields: LogFields): Disposition {
    const visibilitySeconds = Math.min(MAX_DEFER_SECONDS, Math.max(1, seconds));
    logger.debug('A copy of a message in flight arrived; hiding it until that delivery ends', { ...fields, visibilitySeconds });
    return { kind: 'retry', visibilitySeconds, channel };
  }

  return {
    async process(channel, message) {
      try {
        return await handle(channel, message);
      } catch (error) {
        return retry(message, channel, `unexpected error: ${errorMessage(error)}`, { channel });
      }
    },
  };
}
