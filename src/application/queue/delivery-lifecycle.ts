// Drives one delivery through the domain's lifecycle (domain/delivery/
// lifecycle.ts) against the ports. It runs where the step runs, so the lease
// is held by the code that knows whether the body is still running: it is
// taken before the body, extended while the body runs past half the lease,
// and given back only after the outcome is written. Nothing that only
// watches the delivery (a consumer whose request timed out, a gateway's 504)
// ever frees it.
import { randomBytes } from 'node:crypto';
import { extensionDelayMs } from '../../domain/delivery/lease.js';
import { transition, type DeliveryEffect, type DeliveryEvent, type DeliveryOutcome, type DeliveryState } from '../../domain/delivery/lifecycle.js';
import { errorMessage } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { IdempotencyStore } from '../../ports/idempotency-store.js';
import type { LogFields, Logger } from '../../ports/logger.js';
import { channelOf, payloadIds, type Envelope } from './envelope.js';

export interface LifecycleSettings {
  /** The delivery lease, extended by this much while the body runs. */
  leaseSeconds: number;
  /** The handler deadline: past it the delivery is abandoned and its lease left to lapse. */
  maxHandlerSeconds: number;
  idempotencyWindowSeconds: number;
}

export interface DeliveryLifecycleDeps {
  store: IdempotencyStore;
  /**
   * Whether a step's outcome is already in the log: asked before a safety-net
   * copy (`envelope.inline`) takes the lease, so the usual case (its sender ran
   * the step) costs one read and no run. Without it the copy runs the lease check.
   */
  stepFinished?: (runId: string, stepId: string) => Promise<boolean>;
  /**
   * Lease every workflow message by its message id too: on the workflow@5
   * line the runtime runs steps inside the flow handler, so a copy of a
   * workflow message running beside the original would run a step body twice.
   */
  leaseWorkflowMessages?: boolean;
  clock: Clock;
  logger: Logger;
  settings: LifecycleSettings;
}

/** What the body returned: done, or a request for a later redelivery. */
export type BodyResult = { kind: 'done' } | { kind: 'reschedule'; timeoutSeconds: number };

export type LifecycleAnswer =
  | BodyResult
  /** Another delivery of the message holds the lease until `leaseEndsAt`: nothing ran. */
  | { kind: 'busy'; leaseEndsAt: number }
  /** The key belongs to another message, or the step is already finished: nothing ran, and nothing needs to. */
  | { kind: 'duplicate' }
  /** This delivery's nonce began a delivery before: nothing ran. */
  | { kind: 'replayed' }
  /** The body is still running past the deadline, or lost its lease: no outcome. */
  | { kind: 'abandoned'; reason: 'deadline' | 'lease-lost' };

export interface DeliveryLifecycle {
  /**
   * Runs `body` for this delivery of `envelope` once it holds the lease
   * (keyed step messages), within the deadline. `nonce` identifies the
   * delivery (random when omitted); with `leaseEndsAt` it already holds the
   * lease (taken with the send claim). Throws what the body throws, after the
   * lease is given back; throws the store's error when the lease cannot be
   * taken (nothing ran).
   */
  run(envelope: Envelope, delivery: { attempt: number; nonce?: string; leaseEndsAt?: number }, body: (attempt: number) => Promise<BodyResult>): Promise<LifecycleAnswer>;
}

/**
 * The key a delivery's lease is held under, or none: a step message's
 * idempotency key; with `leaseWorkflowMessages`, a workflow message's own id
 * (copies, redeliveries and reschedules share it; a namespace apart from keys).
 */
export function deliveryLeaseKey(envelope: Envelope, leaseWorkflowMessages = false): string | undefined {
  const channel = channelOf(envelope.queueName);
  if (channel === 'step') return envelope.idempotencyKey;
  return leaseWorkflowMessages ? `msg#${envelope.id}` : undefined;
}

/** The lease could not be taken or refused (the store did not answer): nothing ran. */
export class LeaseUnavailable extends Error {
  override readonly name = 'LeaseUnavailable';
}

type Settled = { kind: 'finished'; result: BodyResult } | { kind: 'threw'; error: unknown };
type Watched = { kind: 'deadline-passed' } | { kind: 'lease-lost' } | { kind: 'stopped' };

/** A paused extension retries after this long (a store error must not spin). */
const EXTENSION_RETRY_MS = 1_000;

export function createDeliveryLifecycle(deps: DeliveryLifecycleDeps): DeliveryLifecycle {
  const { store, clock, logger, settings } = deps;
  const leaseMs = settings.leaseSeconds * 1000;

  return {
    async run(envelope, delivery, body) {
      const key = deliveryLeaseKey(envelope, deps.leaseWorkflowMessages);
      const nonce = delivery.nonce ?? randomBytes(16).toString('hex');
      const fields: LogFields = { messageId: envelope.id, queueName: envelope.queueName, ...payloadIds(envelope.payload) };
      let state: DeliveryState = { name: 'received' };
      const move = (event: DeliveryEvent): DeliveryEffect[] => {
        const next = transition(state, event);
        state = next.state;
        return next.effects;
      };

      let attempt = delivery.attempt;
      if (key === undefined) {
        move({ type: 'lease-granted', leaseEndsAt: null });
      } else if (delivery.leaseEndsAt !== undefined) {
        move({ type: 'lease-granted', leaseEndsAt: delivery.leaseEndsAt });
      } else if (envelope.inline && (await finishedInLog(envelope))) {
        move({ type: 'already-finished' });
        logger.debug('Dropping the safety net of a step its sender ran in process (finished in the log)', fields);
        return { kind: 'duplicate' };
      } else {
        const start = await store.beginDelivery(key, envelope.id, nonce, settings.leaseSeconds, settings.idempotencyWindowSeconds).catch((error: unknown) => {
          throw new LeaseUnavailable(errorMessage(error), { cause: error });
        });
        switch (start.kind) {
          case 'busy':
            move({ type: 'lease-held', leaseEndsAt: start.leaseEndsAt });
            return { kind: 'busy', leaseEndsAt: start.leaseEndsAt };
          case 'superseded':
            move({ type: 'duplicate' });
            logger.debug('Dropping a duplicate step message (its idempotency key belongs to another message)', fields);
            return { kind: 'duplicate' };
          case 'replayed':
            move({ type: 'replayed' });
            return { kind: 'replayed' };
          case 'start':
            move({ type: 'lease-granted', leaseEndsAt: start.leaseEndsAt });
            // Counts real deliveries of the message, never copies.
            attempt = start.attempt;
        }
      }

      move({ type: 'body-started' });
      const stop = new AbortController();
      const watching = watch(key, envelope.id, nonce, stop.signal, (leaseEndsAt) => move({ type: 'lease-extended', leaseEndsAt }));
      const running: Promise<Settled> = body(attempt).then(
        (result) => ({ kind: 'finished', result }),
        (error: unknown) => ({ kind: 'threw', error }),
      );
      const first = await Promise.race([running, watching]);
      stop.abort();
      await watching;

      if (first.kind === 'deadline-passed' || first.kind === 'lease-lost') {
        await perform(move({ type: first.kind }), key, envelope.id, nonce, fields);
        return { kind: 'abandoned', reason: first.kind === 'deadline-passed' ? 'deadline' : 'lease-lost' };
      }
      if (first.kind === 'stopped') throw new Error('delivery watch stopped before the body settled'); // unreachable: stop follows the race

      const outcome: DeliveryOutcome = first.kind === 'threw' ? 'failed' : first.result.kind === 'reschedule' ? 'reschedule' : 'done';
      move({ type: 'body-finished', outcome });
      await perform(move({ type: 'settled' }), key, envelope.id, nonce, fields);
      if (first.kind === 'threw') throw first.error;
      return first.result;
    },
  };

  /** A failed read only costs the lease check that follows it. */
  async function finishedInLog(envelope: Envelope): Promise<boolean> {
    const { runId, stepId } = payloadIds(envelope.payload);
    if (!deps.stepFinished || !runId || !stepId) return false;
    return deps.stepFinished(runId, stepId).catch(() => false);
  }

  /** Extends the lease while the body runs (only bodies longer than half a lease pay for it) and ends the wait at the deadline. */
  async function watch(key: string | undefined, messageId: string, nonce: string, signal: AbortSignal, extended: (leaseEndsAt: number) => void): Promise<Watched> {
    const deadline = clock.now() + settings.maxHandlerSeconds * 1000;
    let nextExtension = key === undefined ? Infinity : clock.now() + extensionDelayMs(leaseMs);
    for (;;) {
      try {
        await clock.sleep(Math.min(nextExtension, deadline) - clock.now(), signal);
      } catch {
        return { kind: 'stopped' };
      }
      if (signal.aborted) return { kind: 'stopped' };
      if (clock.now() >= deadline) return { kind: 'deadline-passed' };
      try {
        const leaseEndsAt = await store.extendDelivery(key!, messageId, nonce, settings.leaseSeconds);
        if (signal.aborted) return { kind: 'stopped' };
        if (leaseEndsAt === undefined) return { kind: 'lease-lost' };
        extended(leaseEndsAt);
        nextExtension = leaseEndsAt - leaseMs + extensionDelayMs(leaseMs);
      } catch (error) {
        logger.warn('Could not extend a delivery lease; trying again', { messageId, error: errorMessage(error) });
        nextExtension = clock.now() + EXTENSION_RETRY_MS;
      }
    }
  }

  async function perform(effects: DeliveryEffect[], key: string | undefined, messageId: string, nonce: string, fields: LogFields): Promise<void> {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'release-lease':
          if (key === undefined) break;
          await store.releaseDelivery(key, messageId, nonce, effect.resetAttempts).catch((error) => {
            logger.warn('Could not release a delivery lease; the next delivery waits for it to lapse', { ...fields, error: errorMessage(error) });
          });
          break;
        case 'report-abandoned':
          logger.error(
            effect.reason === 'deadline'
              ? 'A handler is still running at the handler deadline (WORKFLOW_AWS_MAX_HANDLER_SECONDS); the delivery is abandoned and its message redelivered when the lease lapses'
              : 'A delivery lost its lease while the handler ran (the lease lapsed and another delivery took it); this delivery is abandoned',
            fields,
          );
          break;
      }
    }
  }
}
