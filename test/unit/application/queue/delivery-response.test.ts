// What the consumer reads from a queue handler's HTTP answer.
import { readDeliveryResponse } from '../../../../src/application/queue/delivery-protocol.js';

const answer = (status: number, body: unknown) => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });

it('reads success, a reschedule, a lease held by another copy, and failures', async () => {
  expect(await readDeliveryResponse(answer(200, { ok: true }))).toEqual({ kind: 'done' });
  expect(await readDeliveryResponse(answer(200, { timeoutSeconds: 30 }))).toEqual({ kind: 'reschedule', timeoutSeconds: 30 });
  expect(await readDeliveryResponse(answer(409, { error: 'Delivery in progress', leaseEndsAt: 1_750_000_060_000 }))).toEqual({
    kind: 'busy',
    leaseEndsAt: 1_750_000_060_000,
  });
  // A replay refusal carries no lease end: a failure like any other.
  expect(await readDeliveryResponse(answer(409, { error: 'Replayed delivery' }))).toEqual({ kind: 'failed', status: 409, reason: 'HTTP 409: Replayed delivery' });
  expect(await readDeliveryResponse(answer(409, 'not json'))).toEqual({ kind: 'failed', status: 409, reason: 'HTTP 409: not json' });
  expect(await readDeliveryResponse(answer(503, { error: 'Replay check unavailable' }))).toMatchObject({ kind: 'failed', status: 503 });
});
