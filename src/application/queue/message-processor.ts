// What happens to one received message, shared by the polling consumer and
// the Lambda handler. Every follow-up message (next hop, reschedule) is sent
// BEFORE the caller acknowledges the current one, so a crash in between causes
// a duplicate, never a lost wake-up.
import { backoffSeconds } from '../../domain/backoff.js';
import { dueAtAfter, isDue, nextHopSeconds } from '../../domain/delay-schedule.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Clock } from '../../ports/clock.js';
import type { IdempotencyStore } from '../../ports/idempotency-store.js';
import type { LogFields, Logger } from '../../ports/logger.js';
import type { MessageQueue, QueueChannel, ReceivedMessage } from '../../ports/message-queue.js';
import { discardPayload, isMissingPayload, resolvePayload, sendTransportBody, toTransportBody } from './claim-check.js';
import type { Deliverer } from './deliverer.js';
import { errorMessage } from './deliverer.js';
import { channelOf, decodeEnvelope, payloadIds, type Envelope, type WireEnvelope } from './envelope.js';
import { whileLeased } from './lease-keeper.js';

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

export function createMessageProcessor(deps: ProcessorDeps): MessageProcessor {
  const { queue, blobStore, clock, logger, settings } = deps;

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

  async function deliver(channel: QueueChannel, message: ReceivedMessage, envelope: Envelope) {
    const run = () => deps.deliverer.deliver(envelope, message.receiveCount);
    if (settings.leaseSeconds === undefined) return run();
    const target = {
      queue,
      channel,
      receipt: message.receipt,
      leaseSeconds: settings.leaseSeconds,
      maxSeconds: settings.maxHandlerSeconds,
      logFields: { transportMessageId: message.messageId, messageId: envelope.id, ...payloadIds(envelope.payload) },
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

    if (channelOf(envelope.queueName) === 'step' && envelope.idempotencyKey) {
      try {
        const owned = await deps.idempotencyStore.claim(envelope.idempotencyKey, envelope.id, settings.idempotencyWindowSeconds);
        if (!owned) {
          logger.debug('Dropping a duplicate step message (idempotency key held by another message)', fields);
          return { kind: 'ack', afterAck: discardAfterAck(wire, fields) };
        }
      } catch (error) {
        return retry(message, channel, `could not claim the idempotency key: ${errorMessage(error)}`, fields);
      }
    }

    const result = await deliver(channel, message, envelope);
    switch (result.kind) {
      case 'done':
        return { kind: 'ack', afterAck: discardAfterAck(wire, fields) };
      case 'reschedule':
        // A new message (fresh receive count, same envelope id) before the ack.
        try {
          const dueAt = dueAtAfter(result.timeoutSeconds, clock.now());
          const delaySeconds = await sendFollowUp(channel, wire, dueAt);
          logger.debug('Handler asked for a later redelivery', { ...fields, timeoutSeconds: result.timeoutSeconds, delaySeconds });
          return { kind: 'ack' };
        } catch (error) {
          return retry(message, channel, `could not reschedule: ${errorMessage(error)}`, fields);
        }
      case 'failed':
        return retry(message, channel, result.reason, fields);
    }
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
