// createQueueHandler(prefix, handler): the runtime's side of a delivery. It is
// called unbound at import time, so it is a plain closure (no `this`). Each
// call also registers the handler process-wide for in-process delivery.
import type { MessageId, Queue } from '@workflow/world';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { DELIVERY_HEADERS } from './delivery-protocol.js';
import { EnvelopeError, decodeEnvelope, hasPayloadRef, type Envelope } from './envelope.js';
import type { Dispatch, DispatchOutcome, HandlerRegistry } from './handler-registry.js';
import { verifyDelivery } from './signature.js';

export type CreateQueueHandler = Queue['createQueueHandler'];
export type RuntimeHandler = Parameters<CreateQueueHandler>[1];

export interface QueueHandlerDeps {
  /** Without a secret, unsigned deliveries are accepted (see docs/queue-protocol.md). */
  signingSecret?: string;
  signatureToleranceSeconds: number;
  clock: Clock;
  logger: Logger;
  registry: HandlerRegistry;
}

export function makeCreateQueueHandler(deps: QueueHandlerDeps): CreateQueueHandler {
  // Once per world (the runtime serves its routes from one instance): the
  // warning is about the deployment, not about each request.
  const unsigned = { warned: false };
  return (prefix, handler) => {
    const dispatch = createDispatch(prefix, handler);
    deps.registry.register(prefix, dispatch);
    return (req) => handleDelivery(req, dispatch, deps, unsigned);
  };
}

/** The runtime handler behind one prefix, as the registry and the HTTP handler call it. */
export function createDispatch(prefix: string, handler: RuntimeHandler): Dispatch {
  return async (envelope: Envelope, attempt: number): Promise<DispatchOutcome> => {
    if (!envelope.queueName.startsWith(prefix)) return { kind: 'unhandled' };
    const result = await handler(envelope.payload, {
      attempt,
      queueName: envelope.queueName,
      messageId: envelope.id as MessageId,
    });
    const timeoutSeconds = result ? result.timeoutSeconds : undefined;
    return typeof timeoutSeconds === 'number' && Number.isFinite(timeoutSeconds) && timeoutSeconds >= 0
      ? { kind: 'reschedule', timeoutSeconds }
      : { kind: 'done' };
  };
}

async function handleDelivery(req: Request, dispatch: Dispatch, deps: QueueHandlerDeps, unsigned: { warned: boolean }): Promise<Response> {
  const body = await req.text();
  const attemptHeader = req.headers.get(DELIVERY_HEADERS.attempt);

  if (deps.signingSecret) {
    const verdict = verifyDelivery(
      deps.signingSecret,
      {
        timestamp: req.headers.get(DELIVERY_HEADERS.timestamp),
        attempt: attemptHeader,
        signature: req.headers.get(DELIVERY_HEADERS.signature),
        body,
      },
      deps.clock.now(),
      deps.signatureToleranceSeconds,
    );
    if (verdict !== 'valid') {
      deps.logger.warn('Rejected a queue delivery with an invalid signature', { verdict });
      return Response.json({ error: 'Invalid signature' }, { status: 401 });
    }
  } else if (!unsigned.warned) {
    unsigned.warned = true;
    deps.logger.warn(
      'Queue deliveries are unauthenticated (no WORKFLOW_AWS_SIGNING_SECRET): the workflow routes must only be reachable on loopback',
    );
  }

  let envelope: Envelope;
  try {
    const wire = decodeEnvelope(body);
    if (hasPayloadRef(wire)) return Response.json({ error: 'Unresolved payload reference' }, { status: 400 });
    envelope = wire;
  } catch (error) {
    if (error instanceof EnvelopeError) return Response.json({ error: `Invalid message: ${error.message}` }, { status: 400 });
    throw error;
  }
  const attempt = Number(attemptHeader);
  if (!Number.isSafeInteger(attempt) || attempt < 1) {
    return Response.json({ error: `Missing or invalid ${DELIVERY_HEADERS.attempt} header` }, { status: 400 });
  }

  let outcome: DispatchOutcome;
  try {
    outcome = await dispatch(envelope, attempt);
  } catch (error) {
    return Response.json({ error: error instanceof Error ? error.message : String(error) }, { status: 500 });
  }
  switch (outcome.kind) {
    case 'unhandled':
      return Response.json({ error: 'Unhandled queue' }, { status: 400 });
    case 'reschedule':
      return Response.json({ timeoutSeconds: outcome.timeoutSeconds });
    case 'done':
      return Response.json({ ok: true });
  }
}
