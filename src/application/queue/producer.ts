// queue(name, payload, opts): validates, wraps the payload in an envelope and
// sends the first hop. Delays beyond one hop are chained by the consumer from
// the envelope's absolute due time.
import { WorkflowWorldError } from '@workflow/errors';
import { ValidQueueName, type MessageId, type Queue } from '@workflow/world';
import { dueAtAfter, planHop } from '../../domain/delay-schedule.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/id-source.js';
import type { MessageQueue } from '../../ports/message-queue.js';
import { sendTransportBody, toTransportBody } from './claim-check.js';
import { ENVELOPE_VERSION, channelOf, type Envelope } from './envelope.js';
import { newMessageId } from './message-id.js';
import { assertStorableValue } from '../storage/validate-request.js';
import { assertValidQueueHeaders } from './validate-headers.js';
import type { SendCoalescer, WakeupSent } from './send-coalescer.js';
import { attachWakeup } from './wakeup-continuation.js';
import { cancelReservation, deliveredForm, recoveringDelivery, type InlineReservation, type InlineSteps } from './inline-steps.js';
import { runNetDelayMs } from '../../domain/delivery/run-net.js';
import type { NetRun, RunNets, SentNet } from './run-nets.js';
import type { Logger } from '../../ports/logger.js';
import { randomBytes } from 'node:crypto';

export interface ProducerDeps {
  queue: MessageQueue;
  blobStore: BlobStore;
  clock: Clock;
  ids: IdSource;
  deploymentId: string;
  maxHopSeconds: number;
  maxMessageBytes: number;
  /** Called after every successful send (used to start the consumer lazily). */
  afterSend?: () => void;
  /** Coalesces keyed step messages and run wake-ups; absent: every call sends. */
  coalescer?: SendCoalescer;
  /** A step message of the run was sent (not coalesced into an earlier one): replay pacing's progress signal. */
  onStepSent?: (runId: string) => void;
  /** Runs keyed step messages whose handler is registered here in process, their runs covered by `runNets` (inline-steps.ts). */
  inlineSteps?: InlineSteps;
  /** The runs this process holds, each covered by one safety net (run-nets.ts); required with inlineSteps. */
  runNets?: RunNets;
  logger?: Logger;
  /** The delivery lease (a step run in process holds it from its claim). */
  leaseSeconds?: number;
}

export type QueueFn = Queue['queue'];

export function makeQueue(deps: ProducerDeps): QueueFn {
  return async (queueName, payload, opts) => {
    if (!ValidQueueName.safeParse(queueName).success) {
      throw new WorkflowWorldError(
        `Invalid queue name "${queueName}": expected __wkf_workflow_<name> or __wkf_step_<name> (optionally namespaced as __<ns>_wkf_…)`,
        { status: 400 },
      );
    }
    const delaySeconds = opts?.delaySeconds ?? 0;
    if (typeof delaySeconds !== 'number' || !Number.isFinite(delaySeconds) || delaySeconds < 0) {
      throw new WorkflowWorldError(`Invalid delaySeconds ${String(delaySeconds)}: expected a finite number ≥ 0`, { status: 400 });
    }
    if (opts?.idempotencyKey !== undefined && (typeof opts.idempotencyKey !== 'string' || opts.idempotencyKey === '')) {
      throw new WorkflowWorldError('Invalid idempotencyKey: expected a non-empty string', { status: 400 });
    }

    assertValidQueueHeaders(opts?.headers);
    // JSON would throw a raw TypeError/RangeError (BigInt, cycles, deep nesting) or turn a Map into {}.
    assertStorableValue(payload, 'payload');
    const now = deps.clock.now();
    const id = newMessageId(deps.clock, deps.ids);
    const dueAt = dueAtAfter(delaySeconds, now);
    const channel = channelOf(queueName);
    const envelopeFor = (wake: boolean, due: number | undefined, inline = false): Envelope => ({
      v: ENVELOPE_VERSION,
      id,
      queueName,
      deploymentId: opts?.deploymentId ?? deps.deploymentId,
      idempotencyKey: opts?.idempotencyKey,
      headers: opts?.headers && Object.keys(opts.headers).length > 0 ? opts.headers : undefined,
      dueAt: due,
      wake: wake ? true : undefined,
      inline: inline ? true : undefined,
      payload,
    });
    const sendEnvelope = async (envelope: Envelope) => {
      const firstHop = planHop(envelope, deps.clock.now(), deps.maxHopSeconds);
      const transport = await toTransportBody(firstHop ? { ...envelope, restMs: firstHop.restMs } : envelope, deps.blobStore, deps.maxMessageBytes);
      await sendTransportBody(deps.queue, deps.blobStore, channel, transport, firstHop?.delaySeconds ?? 0);
    };
    const send = (wake: boolean) => sendEnvelope(envelopeFor(wake, dueAt));
    // An unmarked wake-up queued by a step handler of the same run runs after that handler, in process.
    const sendWakeup = async (wake: boolean): Promise<WakeupSent> => {
      const instead = (due?: number) => {
        if (runId) deps.coalescer?.continuationSent(runId, id);
        return sendEnvelope(envelopeFor(false, due));
      };
      if (!wake && attachWakeup(envelopeFor(false, undefined), instead)) return 'continuation';
      await send(wake);
    };

    let messageId = id;
    const runId = wakeupRunId(payload);
    const reserved = deps.coalescer && channel === 'step' && opts?.idempotencyKey && delaySeconds === 0 ? deps.inlineSteps?.reserve(queueName, opts.idempotencyKey) : undefined;
    const inline = reserved && deliveredForm(envelopeFor(false, undefined));
    if (deps.coalescer && reserved && inline && opts?.idempotencyKey) {
      messageId =
        'release' in reserved
          ? await runInline(deps, deps.coalescer, opts.idempotencyKey, inline, reserved, sendEnvelope, envelopeFor)
          : await waitInline(deps, deps.coalescer, opts.idempotencyKey, inline, reserved, sendEnvelope, envelopeFor);
      if (messageId === id) noteStepSent(deps, payload);
    } else if (deps.coalescer && channel === 'step' && opts?.idempotencyKey) {
      cancelReservation(reserved);
      messageId = await deps.coalescer.sendKeyed(opts.idempotencyKey, id, () => send(false));
      if (messageId === id) noteStepSent(deps, payload);
      // A replay that may find a delivery dead: a copy of the holder takes over its lease once it lapses
      // (deferred while it lasts; acked unrun if the step is finished by then).
      else if (recoveringDelivery()) await sendEnvelope({ ...envelopeFor(false, undefined, true), id: messageId });
    } else if (deps.coalescer && channel === 'workflow' && runId && delaySeconds === 0 && !opts?.idempotencyKey) {
      messageId = await deps.coalescer.sendWakeup(runId, id, sendWakeup);
    } else {
      await send(false);
      if (channel === 'step') noteStepSent(deps, payload);
    }
    deps.afterSend?.();
    return { messageId: messageId as MessageId };
  };
}

/**
 * Claims the key with its delivery lease while the run is covered by its
 * safety net (a net is sent only when none covers now), and starts the step
 * here. Returns the id of the message that carries the key.
 */
async function runInline(
  deps: ProducerDeps,
  coalescer: SendCoalescer,
  key: string,
  delivered: Envelope,
  reserved: { release: () => void; run: NetRun },
  sendEnvelope: (envelope: Envelope) => Promise<void>,
  envelopeFor: (wake: boolean, due: number | undefined, inline?: boolean) => Envelope,
): Promise<string> {
  const nonce = randomBytes(16).toString('hex');
  const leaseEndsAt = deps.clock.now() + (deps.leaseSeconds ?? 60) * 1000;
  // Held from before the claim until the step and the replay after it are over: if this process dies
  // meanwhile, a net replays the run. The claim and the net's send (when one is needed) run at once: a
  // claim left by a death before the net was durable is found by the retried workflow delivery, a
  // recovering replay (producer's copy of the holder), since queue() never returned.
  const hold = deps.runNets!.hold(reserved.run, (run) => sendNet(deps, run), deps.logger ?? SILENT);
  const claiming = coalescer.sendInline(key, delivered.id, nonce, () => hold.covered);
  // The step starts now; its first commit waits for this claim (gateCommits), so the claim costs no round trip of its own.
  const claimed = claiming.then((result) => result.leaseEndsAt !== undefined);
  deps.inlineSteps!.start(
    {
      envelope: delivered,
      nonce,
      leaseEndsAt,
      claimed,
      sendFollowUp: (dueAt) => sendEnvelope(envelopeFor(false, dueAt)),
      unsent: () => hold.releaseToNet(),
    },
    () => {
      reserved.release();
      hold.release();
    },
  );
  return (await claiming).messageId;
}

/**
 * A step created here while every slot is taken waits here for the next one,
 * unclaimed: queue() returns once its run is covered by a net, and re-queues
 * here coalesce with it (holdKey). If this process dies first, the net's
 * replay re-queues it and its key is free: it is sent. When a slot frees it
 * is claimed and run as any step run here (another process's replay may
 * have claimed it meanwhile: then that one runs it).
 */
async function waitInline(
  deps: ProducerDeps,
  coalescer: SendCoalescer,
  key: string,
  delivered: Envelope,
  reserved: Extract<InlineReservation, { waiting: unknown }>,
  sendEnvelope: (envelope: Envelope) => Promise<void>,
  envelopeFor: (wake: boolean, due: number | undefined, inline?: boolean) => Envelope,
): Promise<string> {
  const held = await coalescer.holdKey(key, delivered.id);
  if ('holderId' in held) {
    reserved.waiting.cancel();
    return held.holderId;
  }
  const hold = deps.runNets!.hold(reserved.run, (run) => sendNet(deps, run), deps.logger ?? SILENT);
  try {
    await hold.covered;
  } catch (error) {
    held.forget();
    reserved.waiting.cancel();
    hold.release();
    throw error;
  }
  deps.inlineSteps!.whenFree(reserved.waiting.slot, (release) => {
    held.forget();
    // runInline holds the run before this hold ends; its claim's failure is its own (the step is sent).
    runInline(deps, coalescer, key, delivered, { run: reserved.run, release }, sendEnvelope, envelopeFor).catch(() => undefined);
    hold.release();
  });
  return delivered.id;
}

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A run's safety net: a wake-up of the run (as recovery re-enqueues one), delayed past a lease taken now. */
function sendNet(deps: ProducerDeps, run: NetRun): SentNet {
  const id = newMessageId(deps.clock, deps.ids);
  const delaySeconds = Math.min(deps.maxHopSeconds, Math.ceil(runNetDelayMs(deps.leaseSeconds ?? 60) / 1000));
  // From before the send: SQS counts the delay from its receipt, later still.
  const dueAt = deps.clock.now() + delaySeconds * 1000;
  const envelope: Envelope = { v: ENVELOPE_VERSION, id, queueName: run.queueName, deploymentId: deps.deploymentId, net: true, payload: { runId: run.runId } };
  const sent = toTransportBody(envelope, deps.blobStore, deps.maxMessageBytes).then((transport) => sendTransportBody(deps.queue, deps.blobStore, 'workflow', transport, delaySeconds));
  return { id, dueAt, sent };
}

function noteStepSent(deps: ProducerDeps, payload: unknown): void {
  if (!deps.onStepSent || payload === null || typeof payload !== 'object') return;
  const runId = (payload as { workflowRunId?: unknown }).workflowRunId;
  if (typeof runId === 'string' && runId !== '') deps.onStepSent(runId);
}

/** The run a workflow message wakes up: the runtime's payload is `{ runId, … }`. */
function wakeupRunId(payload: unknown): string | undefined {
  if (payload === null || typeof payload !== 'object') return undefined;
  const runId = (payload as { runId?: unknown }).runId;
  return typeof runId === 'string' && runId !== '' ? runId : undefined;
}
