// Send-side coalescing (docs/queue-protocol.md, "Coalescing"):
// - a step message whose idempotency key is already claimed, sent or being
//   delivered sends nothing and returns the holder's id;
// - a workflow wake-up for a run whose marked wake-up is pending (sent and not
//   yet started) sends nothing.
// In-process knowledge answers first; the IdempotencyStore decides across
// processes. A claim is leased until the send succeeds, so a crash in between
// blocks the key only for the lease.
import type { Clock } from '../../ports/clock.js';
import type { IdempotencyStore, InlineClaim, SendClaim } from '../../ports/idempotency-store.js';
import type { Logger } from '../../ports/logger.js';
import { errorMessage } from '../../domain/errors.js';
import type { LocalCoordination, LocalKey, LocalWakeup } from './local-coordination.js';

export interface CoalescerSettings {
  /** How long a claim holds a key before its send is confirmed. */
  claimLeaseSeconds: number;
  /** The delivery lease a step run in process takes with its claim. */
  deliveryLeaseSeconds: number;
  /** How long a wake-up mark holds a run. */
  wakeupLeaseSeconds: number;
  idempotencyWindowSeconds: number;
}

/** How `send` delivered a wake-up: `continuation` when it runs in this process after its step (wakeup-continuation.ts), not as a message. */
export type WakeupSent = 'continuation' | void;

export interface SendCoalescer {
  /** Sends via `send` unless `key` is held; returns the id of the message that carries the key. */
  sendKeyed(key: string, messageId: string, send: () => Promise<void>): Promise<string>;
  /**
   * As sendKeyed, but the claim also takes the delivery lease for `nonce`
   * (one write): `leaseEndsAt` is set when this message won the key and is to
   * run here, `send` having sent its safety net.
   */
  sendInline(key: string, messageId: string, nonce: string, send: () => Promise<void>): Promise<{ messageId: string; leaseEndsAt?: number }>;
  /**
   * Remembers `messageId` as the key's message in this process, with nothing
   * sent or claimed (a step created here that waits here for a slot; its run's
   * net covers it): re-queues here coalesce with it. When the key is known
   * here already, the holder's id instead.
   */
  holdKey(key: string, messageId: string): Promise<{ holderId: string } | { forget: () => void }>;
  /** Sends a run's wake-up via `send(marked)` unless one is pending; returns the id of the pending one. */
  sendWakeup(runId: string, messageId: string, send: (marked: boolean) => Promise<WakeupSent>): Promise<string>;
  /** A wake-up that went as a continuation is sent as a message after all: later wake-ups no longer coalesce with it unread. */
  continuationSent(runId: string, messageId: string): void;
  /** Stops the timers of deferred sent-marks. */
  close(): void;
}

export function createSendCoalescer(deps: {
  store: IdempotencyStore;
  local: LocalCoordination;
  clock: Clock;
  logger: Logger;
  settings: CoalescerSettings;
}): SendCoalescer {
  const { store, local, clock, logger, settings } = deps;
  // One signal per pending sent-mark, not one shared by all: a 1,000-wide
  // fan-out has 1,000 pending at once, and Node warns of a leak from 11
  // listeners on one signal.
  const pendingMarks = new Set<AbortController>();
  let closed = false;

  /** Confirms the send durably only if the message has not started here by half the claim lease (a backlog). */
  function markSentIfStillQueued(key: string, messageId: string): void {
    if (closed) return;
    const cancel = new AbortController();
    pendingMarks.add(cancel);
    void clock.sleep((settings.claimLeaseSeconds * 1000) / 2, cancel.signal, { unref: true }).finally(() => pendingMarks.delete(cancel)).then(
      () => {
        if (local.hasBegun(messageId)) return;
        store.markSent(key, messageId).catch((error) => {
          logger.warn('Could not mark a queued message as sent; a re-queue after its claim lease sends a duplicate, which is dropped on delivery', {
            messageId,
            error: errorMessage(error),
          });
        });
      },
      () => undefined,
    );
  }

  async function sendKeyed(key: string, messageId: string, send: () => Promise<void>): Promise<string> {
    const result = await sendClaimed(key, messageId, send, {
      claim: () => store.claimSend(key, messageId, settings.claimLeaseSeconds, settings.idempotencyWindowSeconds),
      abandon: () => store.abandonClaim(key, messageId),
    });
    if (result.won) markSentIfStillQueued(key, messageId);
    return result.messageId;
  }

  async function sendInline(key: string, messageId: string, nonce: string, send: () => Promise<void>) {
    const result = await sendClaimed(key, messageId, send, {
      claim: () => store.claimInline(key, messageId, nonce, settings.deliveryLeaseSeconds, settings.idempotencyWindowSeconds),
      abandon: () => store.abandonClaim(key, messageId, nonce),
    });
    return { messageId: result.messageId, leaseEndsAt: result.won?.won ? result.won.leaseEndsAt : undefined };
  }

  /** Claims `key` while `send` runs, so the claim adds no round trip to the send. */
  async function sendClaimed<C extends SendClaim | InlineClaim>(
    key: string,
    messageId: string,
    send: () => Promise<void>,
    ops: { claim: () => Promise<C>; abandon: () => Promise<void> },
  ): Promise<{ messageId: string; won?: C }> {
    const known = local.knownKey(key);
    if (known && (await known.sent)) return { messageId: known.messageId };

    let settle!: (sent: boolean) => void;
    const entry: LocalKey = {
      messageId,
      sent: new Promise<boolean>((resolve) => (settle = resolve)),
      believeUntil: clock.now() + settings.idempotencyWindowSeconds * 1000,
    };
    local.rememberKey(key, entry);
    let claim: C;
    try {
      // A lost claim (another process holds the key) leaves this message superseded: it is dropped on delivery.
      const sending = send().then(
        () => true,
        (error: unknown) => error,
      );
      claim = await ops.claim().catch(async (error: unknown) => {
        await sending;
        throw error;
      });
      const sent = await sending;
      if (!claim.won) {
        // Held elsewhere. A holder whose send is not confirmed may have died before sending: it is
        // believed only until its claim lease ends, then a re-queue asks the store again.
        entry.messageId = claim.holderId || messageId;
        if (claim.claimEndsAt !== undefined) entry.believeUntil = Math.min(entry.believeUntil, claim.claimEndsAt);
        settle(true);
        return { messageId: entry.messageId };
      }
      if (sent !== true) {
        // The caller fails and its delivery is retried, re-queueing the key: that must send, not coalesce
        // with a message that does not exist. If this release fails, the claim lease still lapses.
        await ops.abandon().catch(() => undefined);
        throw sent;
      }
    } catch (error) {
      local.forgetKey(key, entry);
      settle(false);
      throw error;
    }
    settle(true);
    return { messageId, won: claim };
  }

  async function holdKey(key: string, messageId: string): Promise<{ holderId: string } | { forget: () => void }> {
    const known = local.knownKey(key);
    if (known && (await known.sent)) return { holderId: known.messageId };
    const entry: LocalKey = { messageId, sent: Promise.resolve(true), believeUntil: clock.now() + settings.idempotencyWindowSeconds * 1000 };
    local.rememberKey(key, entry);
    return { forget: () => local.forgetKey(key, entry) };
  }

  async function pendingHere(runId: string): Promise<LocalWakeup | undefined> {
    const known = local.unstartedWakeup(runId);
    return known && (await known.sent) ? known : undefined;
  }

  async function sendWakeup(runId: string, messageId: string, send: (marked: boolean) => Promise<WakeupSent>): Promise<string> {
    const previous = await pendingHere(runId);
    // A continuation runs only here, and its replay had not begun when this was queued (after the caller's
    // commit): noted as absorbing, it reads the log after that commit. No mark and no read needed.
    if (previous?.continuation) {
      local.absorbedInto(previous.messageId);
      return previous.messageId;
    }
    // No wake-up of this run is known to be pending: the run is not contended here, so send without the
    // cost of a mark. A wake-up sent while another is pending here is marked, so later ones can be dropped.
    let marked = false;
    if (previous) {
      if (previous.marked && previous.markUntil > clock.now()) {
        // The mark is cleared before that message's replay reads the log; still set (read after our commit), it
        // guarantees the replay sees what we committed.
        const holder = await store.pendingWakeup(runId);
        if (holder === previous.messageId) return holder;
      }
      const claim = await store.markWakeup(runId, messageId, settings.wakeupLeaseSeconds);
      if (!claim.won) {
        const holder = local.unstartedWakeup(runId);
        // Drop only for a holder this process knows was sent; another process's mark may still be unsent.
        if (holder?.messageId === claim.holderId && (await holder.sent) && !local.hasBegun(holder.messageId)) return holder.messageId;
      } else {
        marked = true;
      }
    }
    let settle!: (sent: boolean) => void;
    const entry: LocalWakeup = {
      messageId,
      marked,
      sent: new Promise<boolean>((resolve) => (settle = resolve)),
      markUntil: clock.now() + settings.wakeupLeaseSeconds * 1000,
    };
    local.rememberWakeup(runId, entry);
    try {
      entry.continuation = (await send(marked)) === 'continuation';
    } catch (error) {
      settle(false);
      local.forgetWakeup(runId, entry);
      if (marked) await store.clearWakeup(runId, messageId).catch(() => undefined);
      throw error;
    }
    settle(true);
    return messageId;
  }

  return {
    sendKeyed,
    sendInline,
    holdKey,
    sendWakeup,
    continuationSent: (runId, messageId) => local.continuationSent(runId, messageId),
    close() {
      closed = true;
      for (const cancel of pendingMarks) cancel.abort();
      pendingMarks.clear();
    },
  };
}
