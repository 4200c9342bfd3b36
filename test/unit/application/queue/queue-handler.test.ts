// createQueueHandler: signature check, prefix routing, the handler's result as HTTP.
import { ValidQueueName } from '@workflow/world';
import { DELIVERY_HEADERS, buildDeliveryRequest } from '../../../../src/application/queue/delivery-protocol.js';
import { ENVELOPE_VERSION, encodeEnvelope, type Envelope } from '../../../../src/application/queue/envelope.js';
import { makeCreateQueueHandler, type RuntimeHandler } from '../../../../src/application/queue/queue-handler.js';
import { processDeliveryKey, signDelivery } from '../../../../src/application/queue/signature.js';
import { createHarness, type Harness } from './harness.js';

const SECRET = 'test-signing-secret-0123456789abcdef';
const FLOW_URL = 'http://127.0.0.1/.well-known/workflow/v1/flow';

const envelope = (queueName = '__wkf_workflow_wf', payload: unknown = { runId: 'wrun_1', input: new Uint8Array([1, 2]) }): Envelope => ({
  v: ENVELOPE_VERSION,
  id: 'msg_01J00000000000000000000042',
  queueName: ValidQueueName.parse(queueName),
  deploymentId: 'aws:test',
  payload,
});

let h: Harness;
let calls: Array<{ payload: unknown; meta: Parameters<RuntimeHandler>[1] }>;
let result: Awaited<ReturnType<RuntimeHandler>> | Error;

const runtimeHandler: RuntimeHandler = async (payload, meta) => {
  calls.push({ payload, meta });
  if (result instanceof Error) throw result;
  return result;
};

function handlerWith(secret: string | undefined, prefix = '__wkf_workflow_') {
  const createQueueHandler = makeCreateQueueHandler({
    signingSecret: secret,
    signatureToleranceSeconds: 300,
    clock: h.clock,
    logger: h.logger,
    registry: h.registry,
  });
  // Called unbound, as the runtime does.
  return createQueueHandler(prefix as never, runtimeHandler);
}

function request(e: Envelope, attempt: number, secret: string | undefined, signedAt = h.clock.now()): Request {
  const { headers, body } = buildDeliveryRequest(e, attempt, secret, signedAt);
  return new Request(FLOW_URL, { method: 'POST', headers, body });
}

/** A request whose raw body is signed as a deliverer would sign it. */
function signedRaw(body: string, attempt: string, secret: string, route = 'flow'): Request {
  const now = String(h.clock.now());
  return new Request(FLOW_URL, {
    method: 'POST',
    headers: { [DELIVERY_HEADERS.attempt]: attempt, [DELIVERY_HEADERS.timestamp]: now, [DELIVERY_HEADERS.signature]: signDelivery(secret, { method: 'POST', route }, now, attempt, body) },
    body,
  });
}

beforeEach(() => {
  h = createHarness();
  calls = [];
  result = undefined;
});

describe('with a signing secret', () => {
  it('calls the handler with the payload, 1-based attempt, queue name and envelope id', async () => {
    const res = await handlerWith(SECRET)(request(envelope(), 3, SECRET));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.meta).toEqual({ attempt: 3, queueName: '__wkf_workflow_wf', messageId: 'msg_01J00000000000000000000042' });
    expect(calls[0]!.payload).toEqual({ runId: 'wrun_1', input: new Uint8Array([1, 2]) });
    expect((calls[0]!.payload as { input: unknown }).input).toBeInstanceOf(Uint8Array);
  });

  it('answers {timeoutSeconds} with 200 and that value', async () => {
    result = { timeoutSeconds: 2_592_000 };
    const res = await handlerWith(SECRET)(request(envelope(), 1, SECRET));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ timeoutSeconds: 2_592_000 });
  });

  it('answers a throw with 500 and the error message only', async () => {
    result = new Error('world unavailable');
    const res = await handlerWith(SECRET)(request(envelope(), 1, SECRET));
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ error: 'world unavailable' });
    expect(body).not.toContain('wrun_1');
  });

  it('rejects unsigned, forged, tampered and stale deliveries with 401 before the runtime', async () => {
    const handler = handlerWith(SECRET);
    const unsigned = request(envelope(), 1, undefined);
    const forged = request(envelope(), 1, 'another-secret');
    const good = buildDeliveryRequest(envelope(), 1, SECRET, h.clock.now());
    const tamperedBody = new Request(FLOW_URL, { method: 'POST', headers: good.headers, body: good.body.replace('wrun_1', 'wrun_2') });
    const tamperedAttempt = new Headers(good.headers);
    tamperedAttempt.set(DELIVERY_HEADERS.attempt, '2');
    const bumped = new Request(FLOW_URL, { method: 'POST', headers: tamperedAttempt, body: good.body });
    const stale = request(envelope(), 1, SECRET, h.clock.now() - 301_000);
    const future = request(envelope(), 1, SECRET, h.clock.now() + 301_000);
    for (const req of [unsigned, forged, tamperedBody, bumped, stale, future]) {
      const res = await handler(req);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'Invalid signature' });
    }
    expect(calls).toHaveLength(0);
    expect(h.logger.text()).not.toContain(SECRET);
  });

  it('accepts a delivery signed within the tolerance', async () => {
    const res = await handlerWith(SECRET)(request(envelope(), 1, SECRET, h.clock.now() - 299_000));
    expect(res.status).toBe(200);
  });
});

describe('routing and validation', () => {
  it('answers a queue outside the prefix with 400 Unhandled queue', async () => {
    // Signed for the step route it arrives on, but naming a workflow queue.
    const res = await handlerWith(SECRET, '__wkf_step_')(signedRaw(encodeEnvelope(envelope('__wkf_workflow_wf')), '1', SECRET, 'step'));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'Unhandled queue' });
    expect(calls).toHaveLength(0);
  });

  it('answers a namespaced queue on the default prefix with 400', async () => {
    const res = await handlerWith(undefined)(request(envelope('__tenant_wkf_workflow_wf'), 1, undefined));
    expect(res.status).toBe(400);
  });

  it('answers an undecodable body or an invalid attempt with 400', async () => {
    const handler = handlerWith(undefined);
    const bad = await handler(signedRaw('{"v":9}', '1', processDeliveryKey()));
    expect(bad.status).toBe(400);
    const badAttempt = await handler(signedRaw(encodeEnvelope(envelope()), '0', processDeliveryKey()));
    expect(badAttempt.status).toBe(400);
    expect(calls).toHaveLength(0);
  });

  it('refuses a body that still carries a payload reference', async () => {
    const { payload: _payload, ...fields } = envelope();
    const body = encodeEnvelope({ ...fields, payloadRef: { key: 'queue/x', byteLength: 3 } });
    const res = await handlerWith(undefined)(signedRaw(body, '1', processDeliveryKey()));
    expect(res.status).toBe(400);
  });
});

describe('without a signing secret', () => {
  it("accepts this process's own deliveries, signed with its private key", async () => {
    const handler = handlerWith(undefined);
    const own = request(envelope(), 1, undefined);
    expect(own.headers.get(DELIVERY_HEADERS.signature)).toMatch(/^v3=/);
    expect((await handler(own)).status).toBe(200);
    expect((await handler(request(envelope(), 2, undefined))).status).toBe(200);
    expect(calls).toHaveLength(2);
  });

  it('refuses unsigned or foreign-signed requests (the peer is unknown) and says once which variable to set', async () => {
    const handler = handlerWith(undefined);
    const unsigned = new Request(FLOW_URL, { method: 'POST', headers: { [DELIVERY_HEADERS.attempt]: '1' }, body: encodeEnvelope(envelope()) });
    expect((await handler(unsigned)).status).toBe(401);
    expect((await handler(request(envelope(), 1, 'some-other-secret'))).status).toBe(401);
    expect(calls).toHaveLength(0);
    const warnings = h.logger.at('warn').filter((w) => w.message.includes('WORKFLOW_AWS_SIGNING_SECRET'));
    expect(warnings).toHaveLength(1);
  });
});

it('registers the handler for in-process delivery under its prefix', async () => {
  handlerWith(undefined, '__wkf_step_');
  const dispatch = h.registry.lookup('__wkf_step_step//./a//b');
  expect(dispatch).toBeDefined();
  expect(h.registry.lookup('__wkf_workflow_wf')).toBeUndefined();
  result = { timeoutSeconds: 5 };
  await expect(dispatch!(envelope('__wkf_step_step//./a//b'), { attempt: 2 })).resolves.toEqual({ kind: 'reschedule', timeoutSeconds: 5 });
  expect(calls[0]!.meta.attempt).toBe(2);
});
