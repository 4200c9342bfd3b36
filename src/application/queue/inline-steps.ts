// A step runs in the process that created it, right after its `step_created`
// commit, instead of travelling through SQS first: the in-process wake-up
// continuation (wakeup-continuation.ts) applied to steps. See
// docs/queue-protocol.md, "Steps run in process".
//
// queue() of a step whose creation this workflow delivery just committed, and
// whose handler is registered here, claims the key and takes its delivery
// lease with its own nonce in one write (IdempotencyStore.claimInline), and
// holds its run covered by the run's safety net (run-nets.ts: one delayed
// wake-up per run and process, sent only when none covers now). queue()
// returns once both are done, so the runtime acknowledges the workflow
// delivery (its outbox) only once the step is durably claimed and a net
// would replay the run if this process died. The step starts at once; its
// first commit waits for the claim (gateCommits), so its body never runs
// without the lease. The hold ends when the step and the replay after it
// are over.
import { AsyncLocalStorage } from 'node:async_hooks';
import { backoffSeconds } from '../../domain/backoff.js';
import { safetyNetDueAt } from '../../domain/delivery/lease.js';
import { processScope, token } from '../../process-scope.js';
import { errorMessage } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { decodeEnvelope, encodeEnvelope, hasPayloadRef, payloadIds, type Envelope } from './envelope.js';
import type { DispatchOutcome, HandlerRegistry } from './handler-registry.js';
import type { LocalCoordination } from './local-coordination.js';
import type { NetRun } from './run-nets.js';

/** A step to run here, its lease taken by `nonce` with its send claim. */
export interface InlineStep {
  /** As a queue delivery would decode it (dates as strings, bytes as Uint8Array). */
  envelope: Envelope;
  nonce: string;
  /** When the lease ends, at the earliest (from the clock before the claim was written): when to extend it. */
  leaseEndsAt: number;
  /**
   * The claim and the run's cover by a net: true once both are done and this
   * message holds the key; false when another message holds it; rejects when
   * either failed. The step starts before it settles (see gateCommits).
   */
  claimed: Promise<boolean>;
  /** Sends the step as a queue message due at `dueAt` (epoch ms) or now: after a failed, rescheduled or abandoned run. */
  sendFollowUp: (dueAt?: number) => Promise<void>;
  /** That send failed: the run's next net, received here, is delivered (a recovering replay) instead of acked. */
  unsent: () => void;
}

export interface InlineStepsSettings {
  /** Steps running in process at once, per process (beyond it, steps are sent). */
  maxRunning: number;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  /** The delivery deadline (the lifecycle abandons the run past it). */
  maxHandlerSeconds: number;
  /** The delivery lease: an abandoned step is sent as a message due once it lapses. */
  leaseSeconds: number;
  /** Steps created here that wait here for a slot when all are taken (beyond it, steps are sent). */
  backlog: number;
}

/** Where a step created here runs: in a slot now, or in the next slot that frees (waiting in the backlog). */
export type InlineReservation =
  | { run: NetRun; release: () => void }
  | { run: NetRun; waiting: { slot: Promise<() => void>; cancel: () => void } };

/** Gives up a reservation that will not be used. */
export function cancelReservation(reserved: InlineReservation | undefined): void {
  if (!reserved) return;
  if ('release' in reserved) reserved.release();
  else reserved.waiting.cancel();
}

export interface InlineSteps {
  /**
   * A slot for running the step `key` of `queueName` here, now or once one
   * frees, if the workflow delivery queueing it committed its `step_created`
   * (gateCommits) and its handler is registered here; undefined when every
   * slot is taken and the backlog is full. With the run the delivery replays
   * (its net's target).
   */
  reserve(queueName: string, key: string): InlineReservation | undefined;
  /** Runs a step here, detached, as its claim is written; frees `release` when it settles. */
  start(step: InlineStep, release: () => void): void;
  /** Calls `begin` with a slot once one frees, counted as running here meanwhile (close() waits for it). */
  whenFree(slot: Promise<() => void>, begin: (release: () => void) => void): void;
}

/** The step's claim was lost to another message: this process must not run it. */
export class InlineClaimLost extends Error {
  override readonly name = 'InlineClaimLost';
}

const CLAIM = token<AsyncLocalStorage<Promise<boolean>>>('inline-steps-claim');

function claimOfRun(): AsyncLocalStorage<Promise<boolean>> {
  return processScope().shared(CLAIM, () => new AsyncLocalStorage<Promise<boolean>>());
}

/**
 * Wraps events.create for steps run in process. In a workflow delivery it
 * notes each `step_created` this delivery committed: only those steps run here
 * (the runtime re-queues every pending step on every replay; those re-queues
 * belong to whoever created the step). In a step run here while its claim is
 * being written, a commit returns only once the claim is won (else it throws,
 * after the commit): the step handler's first write is `step_started`, before
 * the step's body, so the claim overlaps that commit instead of preceding it,
 * and the body never runs without the lease. A lost claim (a race with another
 * process's replay) costs that `step_started`, i.e. one attempt.
 */
export function gateCommits<A extends unknown[], R>(create: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    const claimed = claimOfRun().getStore();
    if (claimed) {
      const [result, won] = await Promise.all([create(...args), claimed]);
      if (!won) throw new InlineClaimLost('another message holds this step; it runs there');
      return result;
    }
    const result = await create(...args);
    // events.create(runId, data, params)
    const created = createdStep(args[1]);
    if (created !== undefined) workflowDelivery().getStore()?.created.add(created);
    return result;
  };
}

/** The correlation id of a `step_created` request. */
function createdStep(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const request = data as { eventType?: unknown; correlationId?: unknown };
  return request.eventType === 'step_created' && typeof request.correlationId === 'string' ? request.correlationId : undefined;
}

/** A workflow delivery running here: the steps whose `step_created` it committed. */
interface WorkflowDelivery {
  created: Set<string>;
  /** The run it replays and the queue it came on. */
  run?: NetRun;
  /** A run's net, or a redelivery: the steps it re-queues may be held by a delivery that died. */
  recovering: boolean;
}

const WORKFLOW_DELIVERY = token<AsyncLocalStorage<WorkflowDelivery>>('inline-steps-workflow-delivery');

/** Process-wide (bundled routes may load their own copy of this module): process-scope.ts. */
function workflowDelivery(): AsyncLocalStorage<WorkflowDelivery> {
  return processScope().shared(WORKFLOW_DELIVERY, () => new AsyncLocalStorage<WorkflowDelivery>());
}

/** Runs a workflow handler's delivery: the steps it creates may run here. */
export function asWorkflowDelivery<T>(work: () => Promise<T>, delivery: { run?: NetRun; recovering?: boolean } = {}): Promise<T> {
  // A replay run as the continuation of a step run here is not that step: its commits wait for no claim.
  return claimOfRun().exit(() => workflowDelivery().run({ created: new Set(), run: delivery.run, recovering: delivery.recovering === true }, work));
}

/** True inside a recovering workflow delivery (a run's net, or a redelivery). */
export function recoveringDelivery(): boolean {
  return workflowDelivery().getStore()?.recovering === true;
}

/** The envelope as the handler would receive it, or undefined when its payload would not travel inline. */
export function deliveredForm(envelope: Envelope): Envelope | undefined {
  const decoded = decodeEnvelope(encodeEnvelope(envelope));
  return hasPayloadRef(decoded) ? undefined : decoded;
}

export function createInlineSteps(deps: {
  registry: HandlerRegistry;
  local: LocalCoordination;
  clock: Clock;
  logger: Logger;
  random: () => number;
  settings: InlineStepsSettings;
}): InlineSteps {
  const { registry, local, clock, logger, settings } = deps;

  async function run(step: InlineStep): Promise<void> {
    const { envelope } = step;
    const fields = { messageId: envelope.id, queueName: envelope.queueName, ...payloadIds(envelope.payload) };
    const dispatch = registry.lookup(envelope.queueName);
    // A copy received here meanwhile (the safety net, for a step that outruns its delay) waits for this run.
    const inFlightUntil = clock.now() + 2 * settings.maxHandlerSeconds * 1000;
    local.enter(envelope.id, inFlightUntil);
    local.began(envelope.id);
    let outcome: DispatchOutcome | undefined;
    const claimed = step.claimed.catch(() => undefined);
    try {
      outcome = dispatch ? await claimOfRun().run(step.claimed, () => dispatch(envelope, { attempt: 1, nonce: step.nonce, leaseEndsAt: step.leaseEndsAt })) : undefined;
    } catch (error) {
      if ((await claimed) === true) logger.warn('A step run in process failed; sending it as a queue message', { ...fields, error: errorMessage(error) });
    } finally {
      local.leave(envelope.id, inFlightUntil);
    }
    const won = await claimed;
    // Lost: the holder runs it. Unclaimed (the claim or the send failed): queue() failed too, so the
    // workflow delivery is retried, and this message is sent to run it (its key was given up).
    if (won === false) return;
    if (won === undefined) return followUp(step, clock.now(), fields);
    switch (outcome?.kind) {
      case 'done':
      case 'duplicate':
        local.finished(envelope.id);
        return;
      case 'abandoned':
        // Reported by the lifecycle, which stopped extending: a message takes the step over once the lease lapses.
        return followUp(step, safetyNetDueAt(clock.now() + settings.leaseSeconds * 1000), fields);
      case 'reschedule':
        return followUp(step, clock.now() + outcome.timeoutSeconds * 1000, fields);
      default:
        // Threw (the lease was given back), or no handler after all: a queue message retries it, as a failed delivery would be.
        return followUp(step, clock.now() + backoffSeconds(1, { baseSeconds: settings.retryBaseSeconds, capSeconds: settings.retryMaxSeconds }, deps.random) * 1000, fields);
    }
  }

  async function followUp(step: InlineStep, dueAt: number, fields: Record<string, unknown>): Promise<void> {
    try {
      await step.sendFollowUp(dueAt);
    } catch (error) {
      step.unsent();
      logger.error("Could not send a step run in process as a queue message; the run's next safety net replays the run", {
        ...fields,
        error: errorMessage(error),
      });
    }
  }

  return {
    reserve(queueName, key) {
      // Only the workflow delivery that committed the step's creation (the runtime queues it right after).
      const delivery = workflowDelivery().getStore();
      if (!delivery?.run || !delivery.created.delete(key) || !registry.lookup(queueName)) return undefined;
      const release = local.reserveInline(settings.maxRunning);
      if (release) return { release, run: delivery.run };
      const waiting = local.waitInline(settings.backlog);
      return waiting && { waiting, run: delivery.run };
    },
    whenFree(slot, begin) {
      local.trackInline(slot.then(begin).catch(() => undefined));
    },
    start(step, release) {
      // Not part of the workflow delivery that queued it: a step it queues in turn is its own.
      workflowDelivery().exit(() => local.trackInline(run(step).catch(() => undefined).finally(release)));
    },
  };
}
