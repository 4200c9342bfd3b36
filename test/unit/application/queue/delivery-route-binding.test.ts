// The signature covers the method and the route: a real flow delivery replayed
// to /step (or sent with another method) is refused before its nonce is
// claimed, so the real delivery still goes through. Refusals are logged at
// most once per interval, with the count of those not logged.
import { ValidQueueName } from '@workflow/world';
import { DELIVERY_HEADERS, buildDeliveryRequest, workflowRouteUrl } from '../../../../src/application/queue/delivery-protocol.js';
import { ENVELOPE_VERSION, type Envelope } from '../../../../src/application/queue/envelope.js';
import { makeCreateQueueHandler } from '../../../../src/application/queue/queue-handler.js';
import { REFUSAL_LOG_INTERVAL_MS } from '../../../../src/application/queue/refusal-log.js';
import { createHarness, type Harness } from './harness.js';

const SECRET = 'route-binding-secret-0123456789abcdef';
const ORIGIN = 'http://127.0.0.1:3000';

let h: Harness;
let calls: number;
/** One signed delivery per test: a replay is the same bytes again (each build carries a fresh delivery nonce). */
let captured: ReturnType<typeof buildDeliveryRequest> | undefined;

beforeEach(() => {
  h = createHarness();
  calls = 0;
  captured = undefined;
});

/** Both routes of one app, as the runtime mounts them, sharing one durable nonce store. */
function app() {
  const create = makeCreateQueueHandler({
    signingSecret: SECRET,
    signatureToleranceSeconds: 300,
    replayStore: h.idempotency,
    clock: h.clock,
    logger: h.logger,
    registry: h.registry,
  });
  const handler = async () => {
    calls++;
    return undefined;
  };
  return { flow: create('__wkf_workflow_', handler), step: create('__wkf_step_', handler) };
}

const flowEnvelope: Envelope = {
  v: ENVELOPE_VERSION,
  id: 'msg_01J00000000000000000000077',
  queueName: ValidQueueName.parse('__wkf_workflow_wf'),
  deploymentId: 'aws:test',
  payload: { runId: 'wrun_1' },
};

/** The captured delivery a consumer sent, as a Request to `route` (possibly not the one it was signed for). */
function delivery(route: 'flow' | 'step', method = 'POST'): Request {
  const { headers, body } = (captured ??= buildDeliveryRequest(flowEnvelope, 1, SECRET, h.clock.now()));
  return new Request(workflowRouteUrl(ORIGIN, route), { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body });
}

it('refuses a flow delivery replayed to /step, and the real one is still accepted (its nonce was not burned)', async () => {
  const routes = app();
  const replayed = await routes.step(delivery('flow'));
  expect(replayed.status).toBe(401);
  expect(await replayed.json()).toEqual({ error: 'Invalid signature' });
  expect(calls).toBe(0);

  const real = await routes.flow(delivery('flow'));
  expect(real.status).toBe(200);
  expect(calls).toBe(1);
  // A replay to its own route is still refused by the nonce.
  expect((await routes.flow(delivery('flow'))).status).toBe(409);
  expect(calls).toBe(1);
});

it('refuses the same signed delivery sent with another method', async () => {
  const routes = app();
  for (const method of ['PUT', 'PATCH', 'DELETE']) expect((await routes.flow(delivery('flow', method))).status).toBe(401);
  expect(calls).toBe(0);
  expect((await routes.flow(delivery('flow'))).status).toBe(200);
});

it('signs the route and method: the signature differs per route for the same envelope and time', () => {
  const flow = buildDeliveryRequest(flowEnvelope, 1, SECRET, 1_000).headers.get(DELIVERY_HEADERS.signature);
  const stepEnvelope = { ...flowEnvelope, queueName: ValidQueueName.parse('__wkf_step_s') };
  const step = buildDeliveryRequest(stepEnvelope, 1, SECRET, 1_000);
  expect(step.route).toBe('step');
  expect(flow).toMatch(/^v3=/);
  expect(step.headers.get(DELIVERY_HEADERS.signature)).not.toBe(flow);
});

describe('refusal warnings', () => {
  function forged(i: number): Request {
    return new Request(workflowRouteUrl(ORIGIN, 'flow'), {
      method: 'POST',
      headers: {
        [DELIVERY_HEADERS.attempt]: '1',
        [DELIVERY_HEADERS.timestamp]: String(h.clock.now()),
        [DELIVERY_HEADERS.signature]: `v3=2.${'0'.repeat(63)}${i % 10}.${'1'.repeat(64)}`,
      },
      body: '{}',
    });
  }

  it('1,000 forged requests within an interval produce one warning; the next interval reports the count', async () => {
    const routes = app();
    for (let i = 0; i < 1000; i++) expect((await routes.flow(forged(i))).status).toBe(401);
    expect(h.logger.at('warn')).toHaveLength(1);
    expect(h.logger.at('warn')[0]!.message).toMatch(/invalid signature.*WORKFLOW_AWS_SIGNING_SECRET/);

    await h.clock.advance(REFUSAL_LOG_INTERVAL_MS);
    // A stale one and a replayed one, in the next interval.
    const stale = delivery('flow');
    await h.clock.advance(301_000);
    expect((await routes.flow(stale)).status).toBe(401);
    const warnings = h.logger.at('warn');
    expect(warnings).toHaveLength(2);
    expect(warnings[1]!.fields).toMatchObject({ reason: 'stale', unloggedSinceLastWarning: 999, unlogged_mismatch: 999 });
    expect(calls).toBe(0);
  });

  it('replays are counted with the other refusals', async () => {
    const routes = app();
    expect((await routes.flow(delivery('flow'))).status).toBe(200);
    for (let i = 0; i < 100; i++) expect((await routes.flow(delivery('flow'))).status).toBe(409);
    expect(h.logger.at('warn').map((w) => w.message)).toEqual(['Refused a replayed queue delivery']);
  });
});
