// createQueueHandler(prefix, handler): the runtime's side of a delivery. It is
// called unbound at import time, so it is a plain closure (no `this`). Each
// call also registers the handler process-wide for in-process delivery.
import { getQueuePrefixKind, type MessageId, type Queue, type QueuePrefix } from '@workflow/world';
import type { Clock } from '../../ports/clock.js';
import type { NonceStore } from '../../ports/idempotency-store.js';
import type { Logger } from '../../ports/logger.js';
import { LeaseUnavailable, createDeliveryLifecycle, deliveryLeaseKey, type BodyResult, type DeliveryLifecycle, type DeliveryLifecycleDeps } from './delivery-lifecycle.js';
import { DELIVERY_HEADERS, takeDeliveryNonce, type WorkflowRoute } from './delivery-protocol.js';
import { EnvelopeError, channelOf, decodeEnvelope, hasPayloadRef, payloadIds, type Envelope } from './envelope.js';
import type { Dispatch, DispatchOutcome, HandlerRegistry } from './handler-registry.js';
import type { LocalCoordination } from './local-coordination.js';
import { createReplayGuard, type ReplayGuard } from './replay-guard.js';
import { discardBody, readSignedBody, type SignedBodyResult } from './signed-body.js';
import { withWakeupContinuations, type ContinuationDeps } from './wakeup-continuation.js';
import { asWorkflowDelivery } from './inline-steps.js';
import type { NetRun } from './run-nets.js';
import { bodyTagHmac, processDeliveryKey, verifyDeliveryHeaders, type DeliveryTarget, type SignatureVerdict } from './signature.js';
import { createRefusalLog, type RefusalLog } from './refusal-log.js';

export type CreateQueueHandler = Queue['createQueueHandler'];
export type RuntimeHandler = Parameters<CreateQueueHandler>[1];

export interface QueueHandlerDeps {
  /** Shared secret; without one, only this process's own deliveries verify (signature.ts, processDeliveryKey). */
  signingSecret?: string;
  signatureToleranceSeconds: number;
  /** Largest body accepted; larger ones get 413 unread. Default DEFAULT_MAX_DELIVERY_BODY_BYTES. */
  maxBodyBytes?: number;
  /** Durable replay claims, used when a shared secret lets other processes verify the same deliveries. */
  replayStore?: NonceStore;
  clock: Clock;
  logger: Logger;
  registry: HandlerRegistry;
  /**
   * Delivery leases (delivery-lifecycle.ts): a keyed step message's lease is
   * taken here, by the code that runs the step, in the same write as its
   * cross-process replay check. Without it, nothing is leased (tests of the
   * dispatch alone).
   */
  deliveryLeases?: Omit<DeliveryLifecycleDeps, 'clock' | 'logger'>;
  /** When given, a run's wake-up queued by a step handler runs right after it here (wakeup-continuation.ts). */
  coordination?: LocalCoordination;
  /**
   * Steps run in process here (inline-steps.ts): a redelivered workflow
   * message may find steps held by a delivery that died, and recovers them
   * (producer.ts). A run's net always does.
   */
  recoverHeldSteps?: boolean;
}

/** Default body cap: SQS's 1 MiB message maximum plus room for the envelope; larger payloads travel through S3. */
export const DEFAULT_MAX_DELIVERY_BODY_BYTES = 1024 * 1024 + 64 * 1024;

interface Gate {
  secret: string;
  shared: boolean;
  replays: ReplayGuard;
  refusals: RefusalLog;
}

export function makeCreateQueueHandler(deps: QueueHandlerDeps): CreateQueueHandler {
  // Once per world (the runtime serves its routes from one instance).
  const shared = Boolean(deps.signingSecret);
  const gate: Gate = {
    secret: deps.signingSecret || processDeliveryKey(),
    shared,
    replays: createReplayGuard({
      clock: deps.clock,
      toleranceSeconds: deps.signatureToleranceSeconds,
      store: shared ? deps.replayStore : undefined,
    }),
    refusals: createRefusalLog({ clock: deps.clock, logger: deps.logger }),
  };
  return (prefix, handler) => {
    const continuation = deps.coordination
      ? {
          lookup: (queueName: string) => deps.registry.lookup(queueName),
          local: deps.coordination,
          now: () => deps.clock.now(),
          // Where steps run in process (the 4.x line, not Lambda). In Lambda mode the fault suite's
          // fan-out once left a step unstarted with them, cause not found: off there until it is.
          selfWokenReplays: deps.recoverHeldSteps === true,
        }
      : undefined;
    const lifecycle = deps.deliveryLeases ? createDeliveryLifecycle({ ...deps.deliveryLeases, clock: deps.clock, logger: deps.logger }) : undefined;
    const dispatch = createDispatch(prefix, handler, { continuation, lifecycle, recoverHeldSteps: deps.recoverHeldSteps });
    deps.registry.register(prefix, dispatch);
    const route = routeOfPrefix(prefix);
    return (req) => handleDelivery(req, route, dispatch, deps, gate);
  };
}

/** The runtime handler behind one prefix, as the registry and the HTTP handler call it. */
export function createDispatch(
  prefix: string,
  handler: RuntimeHandler,
  options: { continuation?: ContinuationDeps; lifecycle?: DeliveryLifecycle; recoverHeldSteps?: boolean } = {},
): Dispatch {
  const { continuation, lifecycle } = options;
  return async (envelope, delivery) => {
    if (!envelope.queueName.startsWith(prefix)) return { kind: 'unhandled' };
    const body = async (attempt: number): Promise<BodyResult> => {
      const call = () =>
        handler(envelope.payload, {
          attempt,
          queueName: envelope.queueName,
          messageId: envelope.id as MessageId,
        });
      const runId = continuation && channelOf(envelope.queueName) === 'step' ? payloadIds(envelope.payload).runId : undefined;
      const result = runId
        ? await withWakeupContinuations({ runId, messageId: envelope.id, finished: (r) => rescheduleSeconds(r) === undefined }, continuation!, call)
        : channelOf(envelope.queueName) === 'workflow'
          ? await asWorkflowDelivery(call, workflowDelivery(envelope, attempt, options.recoverHeldSteps === true))
          : await call();
      const timeoutSeconds = rescheduleSeconds(result);
      return timeoutSeconds === undefined ? { kind: 'done' } : { kind: 'reschedule', timeoutSeconds };
    };
    return lifecycle ? lifecycle.run(envelope, delivery, body) : body(delivery.attempt);
  };
}

/**
 * What a workflow delivery's steps run in process need: the run (its nets'
 * target) and whether it recovers, i.e. is a run's net, or a redelivery
 * where steps run in process, which may find steps held by a delivery that
 * died (producer.ts).
 */
function workflowDelivery(envelope: Envelope, attempt: number, recoverHeldSteps: boolean): { run?: NetRun; recovering: boolean } {
  const { runId } = payloadIds(envelope.payload);
  return { run: runId ? { runId, queueName: envelope.queueName } : undefined, recovering: envelope.net === true || (recoverHeldSteps && attempt > 1) };
}

/** The runtime asks for a later redelivery by returning `{ timeoutSeconds }`. */
function rescheduleSeconds(result: Awaited<ReturnType<RuntimeHandler>>): number | undefined {
  const timeoutSeconds = result ? result.timeoutSeconds : undefined;
  return typeof timeoutSeconds === 'number' && Number.isFinite(timeoutSeconds) && timeoutSeconds >= 0 ? timeoutSeconds : undefined;
}

/** The route a handler serves: deliveries signed for the other route are refused before their nonce is claimed. */
function routeOfPrefix(prefix: QueuePrefix): WorkflowRoute {
  return getQueuePrefixKind(prefix) === 'workflow' ? 'flow' : 'step';
}

async function handleDelivery(req: Request, route: WorkflowRoute, dispatch: Dispatch, deps: QueueHandlerDeps, gate: Gate): Promise<Response> {
  const attemptHeader = req.headers.get(DELIVERY_HEADERS.attempt);
  const target: DeliveryTarget = { method: req.method, route };
  // Everything below up to readSignedBody looks at headers only: a forged or
  // oversized request is answered without reading its body.
  const headers = verifyDeliveryHeaders(
    gate.secret,
    target,
    { timestamp: req.headers.get(DELIVERY_HEADERS.timestamp), attempt: attemptHeader, signature: req.headers.get(DELIVERY_HEADERS.signature) },
    deps.clock.now(),
    deps.signatureToleranceSeconds,
  );
  if (headers.verdict !== 'valid') {
    discardBody(req.body);
    return refuse(gate, headers.verdict);
  }
  const declared = contentLength(req.headers);
  const limit = deps.maxBodyBytes ?? DEFAULT_MAX_DELIVERY_BODY_BYTES;
  if (headers.bodyBytes > limit || (declared !== undefined && declared > limit)) {
    discardBody(req.body);
    deps.logger.warn('Refused a queue delivery over the body size limit', { bodyBytes: headers.bodyBytes, limit });
    return Response.json({ error: `Delivery body exceeds ${limit} bytes (WORKFLOW_AWS_MAX_DELIVERY_BYTES)` }, { status: 413 });
  }
  if (declared !== undefined && declared !== headers.bodyBytes) {
    discardBody(req.body);
    return refuse(gate, 'mismatch');
  }
  let read: SignedBodyResult;
  try {
    read = await readSignedBody(req.body, headers.bodyBytes, bodyTagHmac(gate.secret, target, headers.timestamp, headers.attempt, headers.bodyBytes), headers.bodyTag);
  } catch {
    return Response.json({ error: 'Could not read the delivery body' }, { status: 400 });
  }
  if (read.kind !== 'valid') return refuse(gate, 'mismatch');
  let envelope: Envelope;
  let nonce: string | undefined;
  try {
    const wire = decodeEnvelope(read.text);
    if (hasPayloadRef(wire)) return Response.json({ error: 'Unresolved payload reference' }, { status: 400 });
    nonce = takeDeliveryNonce(wire);
    envelope = wire;
  } catch (error) {
    if (error instanceof EnvelopeError) return Response.json({ error: `Invalid message: ${error.message}` }, { status: 400 });
    throw error;
  }
  // A leased message's replay check across processes is its delivery lease write (delivery-lifecycle.ts).
  const leased = gate.shared && deps.deliveryLeases !== undefined && deliveryLeaseKey(envelope, deps.deliveryLeases.leaseWorkflowMessages) !== undefined;
  // Claimed before anything is run, so no later error path lets a replay through.
  let fresh: boolean;
  try {
    fresh = await gate.replays.claim(headers.bodyTag, headers.sentAt, !leased);
  } catch (error) {
    deps.logger.warn('Could not record a delivery nonce; refusing the delivery until it can be', {
      error: error instanceof Error ? error.message : String(error),
    });
    return Response.json({ error: 'Replay check unavailable' }, { status: 503 });
  }
  if (!fresh) return replayed(gate);
  const attempt = Number(attemptHeader);
  if (!Number.isSafeInteger(attempt) || attempt < 1) {
    return Response.json({ error: `Missing or invalid ${DELIVERY_HEADERS.attempt} header` }, { status: 400 });
  }

  let outcome: DispatchOutcome;
  try {
    // The body's nonce (signed with it) identifies this delivery; an older consumer's body has none, its tag serves.
    outcome = await dispatch(envelope, { attempt, nonce: nonce ?? headers.bodyTag });
  } catch (error) {
    if (error instanceof LeaseUnavailable) {
      deps.logger.warn('Could not take a delivery lease; refusing the delivery until it can be', { error: error.message });
      return Response.json({ error: 'Replay check unavailable' }, { status: 503 });
    }
    return Response.json({ error: error instanceof Error ? error.message : String(error) }, { status: 500 });
  }
  switch (outcome.kind) {
    case 'unhandled':
      return Response.json({ error: 'Unhandled queue' }, { status: 400 });
    case 'reschedule':
      return Response.json({ timeoutSeconds: outcome.timeoutSeconds });
    case 'done':
    case 'duplicate':
      // A duplicate's key belongs to another message: it is done without running.
      return Response.json({ ok: true });
    case 'busy':
      return Response.json({ error: 'Delivery in progress', leaseEndsAt: outcome.leaseEndsAt }, { status: 409 });
    case 'replayed':
      return replayed(gate);
    case 'abandoned':
      return Response.json({ error: `Delivery abandoned (${outcome.reason})` }, { status: 503 });
  }
}

function replayed(gate: Gate): Response {
  gate.refusals.refused('Refused a replayed queue delivery', 'replayed');
  return Response.json({ error: 'Replayed delivery' }, { status: 409 });
}

function refuse(gate: Gate, verdict: Exclude<SignatureVerdict, 'valid'>): Response {
  // Rate-limited (refusal-log.ts): anyone who can reach the route can send these.
  gate.refusals.refused(
    gate.shared
      ? 'Refused queue deliveries with an invalid signature: check that every process has the same WORKFLOW_AWS_SIGNING_SECRET'
      : // A Fetch Request carries no peer address (see docs/queue-protocol.md), so
        // "loopback only" cannot be checked here: only this process's own
        // deliveries, signed with its private key, are accepted.
        'Refused a queue delivery not signed by this process: without WORKFLOW_AWS_SIGNING_SECRET only the consumer in this process can deliver; set the same WORKFLOW_AWS_SIGNING_SECRET on every process',
    verdict,
  );
  return Response.json({ error: 'Invalid signature' }, { status: 401 });
}

/** The Content-Length header as a number; undefined when absent. A malformed one counts as oversized. */
function contentLength(headers: Headers): number | undefined {
  const raw = headers.get('content-length');
  if (raw === null) return undefined;
  return /^[0-9]{1,16}$/.test(raw.trim()) ? Number(raw.trim()) : Number.POSITIVE_INFINITY;
}
