// What happens to one received message, shared by the polling consumer and
// the Lambda handler. Every follow-up message (next hop, reschedule) is sent
// BEFORE the caller acknowledges the current one, so a crash in between causes
// a duplicate, never a lost wake-up.
import { backoffSeconds } from '../../domain/backoff.js';
import { deferralSeconds, nearDeadLetter } from '../../domain/delivery/lease.js';
import { dueAtAfter, planHop, type Hop } from '../../domain/delay-schedule.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Clock } from '../../ports/clock.js';
import type { IdempotencyStore } from '../../ports/idempotency-store.js';
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
  /** The delivery lease: how long a copy of a message being delivered here waits before it is looked at again. */
  leaseSeconds: number;
  /** Keep the transport message leased (extended by `leaseSeconds`) while its delivery runs: the polling consumer. */
  extendLease: boolean;
  /** The delivery deadline: past it the consumer stops waiting, logs an error and leaves the message to be redelivered. */
  maxHandlerSeconds: number;
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
  /** Whether a received run's safety net is acked unrun (run-nets.ts, createNetCheck); without it every net is delivered. */
  netNeedsNoRun?: (envelope: Envelope) => Promise<boolean>;
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
  const local = deps.local ?? new LocalCoordination(clock);

  function retry(message: ReceivedMessage, channel: QueueChannel | undefined, reason: string, fields: LogFields): Disposition {
    const visibilitySeconds = backoffSeconds(
      message.receiveCount,
      { baseSeconds: settings.retryBaseSeconds, capSeconds: settings.retryMaxSeconds },
      deps.random,
    );
    const context = { ...fields, transportMessageId: message.messageId, attempt: message.receiveCount, reason };
    if (message.receiveCount >= settings.maxReceiveCount) {
      logger.error('Queue message failed its last delivery attempt; the queue moves it to the dead-letter queue and its run will not progress until it is redriven', context);
    } else if (nearDeadLetter(message.receiveCount, settings.maxReceiveCount)) {
      logger.error('Queue message is near the dead-letter threshold; retrying with backoff', {
        ...context,
        maxReceiveCount: settings.maxReceiveCount,
        retryInSeconds: visibilitySeconds,
      });
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

  /** Runs `run` while the transport message stays leased: also while it waits for its run's earlier replay. */
  async function leased<T>(channel: QueueChannel, message: ReceivedMessage, run: () => Promise<T>) {
    if (!settings.extendLease) return run();
    return whileLeased({ queue, channel, receipt: message.receipt, leaseSeconds: settings.leaseSeconds }, clock, logger, run);
  }

  async function sendFollowUp(channel: QueueChannel, wire: WireEnvelope, dueAt: number | undefined): Promise<number> {
    return sendHop(channel, { ...wire, dueAt, restMs: undefined }, planHop({ dueAt }, clock.now(), settings.maxHopSeconds));
  }

  /** Sends `wire` on with `hop`'s delay, carrying what is left after it; no hop: due now. */
  async function sendHop(channel: QueueChannel, wire: WireEnvelope, hop: Hop | undefined): Promise<number> {
    const transport = await toTransportBody({ ...wire, restMs: hop?.restMs }, blobStore, settings.maxMessageBytes);
    await sendTransportBody(queue, blobStore, channel, transport, hop?.delaySeconds ?? 0);
    return hop?.delaySeconds ?? 0;
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

    // Not yet due: chain the next hop, never reaching the runtime. The body
    // keeps its due time and carries the delay left after the new hop.
    const hop = planHop(wire, clock.now(), settings.maxHopSeconds);
    if (hop) {
      try {
        const delaySeconds = await sendHop(channel, wire, hop);
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

    if (envelope.net && deps.netNeedsNoRun) {
      try {
        if (await deps.netNeedsNoRun(envelope)) {
          logger.debug("Acked a run's safety net: its sender is alive here, or the run is finished", fields);
          return { kind: 'ack' };
        }
      } catch (error) {
        return retry(message, channel, `could not arm the successor of a run's safety net: ${errorMessage(error)}`, fields);
      }
    }
    return deliverOnce(channel, message, wire, envelope, fields);
  }

  /**
   * The handler runs once per message id: a copy that arrives while the
   * message is being delivered here is deferred, and one that arrives after it
   * succeeded here is acked. Across processes the handler's delivery lease
   * decides (delivery-lifecycle.ts); its `busy` answer defers the copy too.
   */
  async function deliverOnce(
    channel: QueueChannel,
    message: ReceivedMessage,
    wire: WireEnvelope,
    envelope: Envelope,
    fields: LogFields,
  ): Promise<Disposition> {
    const id = envelope.id;
    if (local.isFinished(id)) {
      logger.debug('Dropping a copy of a message already handled here', fields);
      return { kind: 'ack' };
    }
    const deadlineMs = settings.maxHandlerSeconds * 1000;
    // In flight here for at most two deadlines: one waiting behind the run's earlier replay, one running.
    const inFlightUntil = clock.now() + 2 * deadlineMs;
    if (!local.enter(id, inFlightUntil)) return defer(channel, message, settings.leaseSeconds, fields);
    try {
      const runId = channelOf(envelope.queueName) === 'workflow' ? payloadIds(envelope.payload).runId : undefined;
      const run = async (): Promise<DeliveryResult> => {
        local.began(id);
        // Cleared before the replay reads the log: a wake-up committed after this point sends a new message.
        if (runId && envelope.wake) await deps.idempotencyStore.clearWakeup(runId, id);
        return withinDeadline(clock.now() + deadlineMs, fields, (signal) => deps.deliverer.deliver(envelope, message.receiveCount, signal));
      };
      let result: DeliveryResult;
      try {
        // One replay of a run at a time in this process; a hung one holds the next only until its deadline.
        result = await leased(channel, message, () => (runId ? local.serialized(runId, run) : run()));
      } catch (error) {
        return retry(message, channel, `could not clear the run's wake-up mark: ${errorMessage(error)}`, fields);
      }
      return await settle(channel, message, wire, fields, result);
    } finally {
      local.leave(id, inFlightUntil);
    }
  }

  /** The delivery's result, or `failed` once `deadline` passes (the wait is aborted; the handler keeps its own deadline). */
  async function withinDeadline(deadline: number, fields: LogFields, deliver: (signal: AbortSignal) => Promise<DeliveryResult>): Promise<DeliveryResult> {
    const abort = new AbortController();
    const expired = clock.sleep(deadline - clock.now(), abort.signal).then(
      (): DeliveryResult => {
        logger.error('A delivery is still unanswered at the handler deadline (WORKFLOW_AWS_MAX_HANDLER_SECONDS); it is abandoned and its message redelivered', fields);
        abort.abort();
        return { kind: 'failed', reason: 'the delivery passed the handler deadline' };
      },
      () => undefined,
    );
    try {
      const result = await Promise.race([deliver(abort.signal), expired]);
      return result ?? { kind: 'failed', reason: 'the delivery passed the handler deadline' };
    } finally {
      abort.abort();
    }
  }

  async function settle(channel: QueueChannel, message: ReceivedMessage, wire: WireEnvelope, fields: LogFields, result: DeliveryResult): Promise<Disposition> {
    switch (result.kind) {
      case 'done':
        local.finished(wire.id);
        // Ends a paced gap of the step's run early once none of its steps is left here.
        if (channel === 'step' && typeof fields.runId === 'string') local.pacing.stepDone(fields.runId, wire.id);
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
      case 'busy':
        // Another delivery holds the message's lease: nothing ran here, and nothing here is released.
        return defer(channel, message, deferralSeconds(result.leaseEndsAt, clock.now(), settings.maxHopSeconds), fields);
      case 'failed':
        // The lease, if any, belongs to the handler: it gives it back itself once its outcome is written.
        return retry(message, channel, result.reason, fields);
    }
  }

  /**
   * A copy of a message whose delivery is under way elsewhere waits until that
   * delivery's lease ends, without counting a receive: the same body is sent
   * again with that delay and the received copy is acked (an SQS receive
   * counts toward the dead-letter threshold even when only its visibility is
   * changed). The new message stands in for the received one whatever became
   * of the delivery under way. If the send fails, the copy is hidden instead.
   */
  async function defer(channel: QueueChannel, message: ReceivedMessage, seconds: number, fields: LogFields): Promise<Disposition> {
    const delaySeconds = Math.min(settings.maxHopSeconds, Math.max(1, seconds));
    try {
      await queue.send(channel, { body: message.body, delaySeconds });
      logger.debug('A copy of a message being delivered arrived; sent it again to wait until that delivery ends', { ...fields, delaySeconds });
      return { kind: 'ack' };
    } catch (error) {
      logger.warn('Could not defer a copy of a message being delivered; hiding it instead', { ...fields, delaySeconds, error: errorMessage(error) });
      return { kind: 'retry', visibilitySeconds: delaySeconds, channel };
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
