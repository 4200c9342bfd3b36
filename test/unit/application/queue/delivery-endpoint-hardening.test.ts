// The delivery endpoint under attack: forged and oversized bodies are answered
// from the headers alone, and a replayed signed delivery never runs again.
import { jest } from '@jest/globals';
import { ValidQueueName } from '@workflow/world';
import { MemoryIdempotencyStore } from '../../../../src/adapters/memory/memory-idempotency-store.js';
import { DELIVERY_HEADERS, buildDeliveryRequest } from '../../../../src/application/queue/delivery-protocol.js';
import { ENVELOPE_VERSION, type Envelope } from '../../../../src/application/queue/envelope.js';
import { makeCreateQueueHandler, type RuntimeHandler } from '../../../../src/application/queue/queue-handler.js';
import { signDelivery } from '../../../../src/application/queue/signature.js';
import type { Clock } from '../../../../src/ports/clock.js';
import type { IdempotencyStore, NonceStore } from '../../../../src/ports/idempotency-store.js';
import { createHarness, type Harness } from './harness.js';

const SECRET = 'endpoint-secret-0123456789abcdef0123';
const FLOW_URL = 'http://127.0.0.1/.well-known/workflow/v1/flow';
const MiB = 1024 * 1024;

const envelope = (payload: unknown = { runId: 'wrun_1' }): Envelope => ({
  v: ENVELOPE_VERSION,
  id: 'msg_01J00000000000000000000042',
  queueName: ValidQueueName.parse('__wkf_workflow_wf'),
  deploymentId: 'aws:test',
  payload,
});

let h: Harness;
let runs: number;
const runtimeHandler: RuntimeHandler = async () => {
  runs++;
  return undefined;
};

beforeEach(() => {
  h = createHarness();
  runs = 0;
});

function handlerWith(opts: { secret?: string; maxBodyBytes?: number; replayStore?: NonceStore } = {}) {
  return makeCreateQueueHandler({
    signingSecret: opts.secret ?? SECRET,
    signatureToleranceSeconds: 300,
    maxBodyBytes: opts.maxBodyBytes,
    replayStore: opts.replayStore,
    clock: h.clock,
    logger: h.logger,
    registry: h.registry,
  })('__wkf_workflow_' as never, runtimeHandler);
}

/** A lazily generated body of `total` bytes that counts how much was pulled. */
function countingBody(total: number, chunk = 4096): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const block = new Uint8Array(chunk).fill(0x61);
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled >= total) return controller.close();
        const n = Math.min(chunk, total - pulled);
        pulled += n;
        controller.enqueue(n === chunk ? block : block.subarray(0, n));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled };
}

function headersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => (out[name] = value));
  return out;
}

function streamingRequest(headers: Record<string, string>, body: ReadableStream<Uint8Array>): Request {
  return new Request(FLOW_URL, { method: 'POST', headers, body, duplex: 'half' } as RequestInit & { duplex: 'half' });
}

describe('forged requests are answered from the headers', () => {
  const cases: Array<[string, () => Record<string, string>]> = [
    ['no signature', () => ({ [DELIVERY_HEADERS.attempt]: '1' })],
    [
      'a wrong, well-formed signature',
      () => {
        const now = String(h.clock.now());
        return {
          [DELIVERY_HEADERS.attempt]: '1',
          [DELIVERY_HEADERS.timestamp]: now,
          [DELIVERY_HEADERS.signature]: signDelivery('guessed-secret', { method: 'POST', route: 'flow' }, now, '1', 'x'.repeat(16)).replace(/^v3=16\./, `v3=${256 * MiB}.`),
        };
      },
    ],
    ['a malformed signature', () => ({ [DELIVERY_HEADERS.attempt]: '1', [DELIVERY_HEADERS.timestamp]: String(h.clock.now()), [DELIVERY_HEADERS.signature]: 'v1=abc' })],
  ];
  it.each(cases)('a 256 MiB POST with %s gets 401 after at most a few KB, without RSS growth', async (_label, headers) => {
    const body = countingBody(256 * MiB);
    const request = streamingRequest({ ...headers(), 'content-length': String(256 * MiB) }, body.stream);
    const handler = handlerWith();
    const rssBefore = process.memoryUsage().rss;
    const res = await handler(request);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'Invalid signature' });
    expect(body.pulled()).toBeLessThanOrEqual(8 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(16 * MiB);
    expect(runs).toBe(0);
  });
});

describe('the body size cap', () => {
  it('answers a signed body over the cap with 413 before reading it', async () => {
    const big = buildDeliveryRequest(envelope({ runId: 'wrun_1', pad: 'p'.repeat(4096) }), 1, SECRET, h.clock.now());
    const body = countingBody(big.body.length);
    const res = await handlerWith({ maxBodyBytes: 2048 })(streamingRequest(headersOf(big.headers), body.stream));
    expect(res.status).toBe(413);
    expect((await res.json()).error).toContain('WORKFLOW_AWS_MAX_DELIVERY_BYTES');
    expect(body.pulled()).toBeLessThanOrEqual(4096);
    expect(runs).toBe(0);
  });

  it('answers a Content-Length over the cap with 413 whatever the signature says', async () => {
    const small = buildDeliveryRequest(envelope(), 1, SECRET, h.clock.now());
    const body = countingBody(10 * MiB);
    const res = await handlerWith({ maxBodyBytes: 4096 })(
      streamingRequest({ ...headersOf(small.headers), 'content-length': String(10 * MiB) }, body.stream),
    );
    expect(res.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(4096);
  });

  it('stops reading a body longer than the signed length and refuses it', async () => {
    const small = buildDeliveryRequest(envelope(), 1, SECRET, h.clock.now());
    const body = countingBody(64 * MiB);
    const res = await handlerWith()(streamingRequest(headersOf(small.headers), body.stream));
    expect(res.status).toBe(401);
    expect(body.pulled()).toBeLessThanOrEqual(small.body.length + 8192);
    expect(runs).toBe(0);
  });

  it('accepts a signed body at the cap', async () => {
    const ok = buildDeliveryRequest(envelope(), 1, SECRET, h.clock.now());
    const res = await handlerWith({ maxBodyBytes: ok.body.length })(new Request(FLOW_URL, { method: 'POST', headers: ok.headers, body: ok.body }));
    expect(res.status).toBe(200);
    expect(runs).toBe(1);
  });
});

describe('replays', () => {
  const send = (handler: (req: Request) => Promise<Response>, d: ReturnType<typeof buildDeliveryRequest>) =>
    handler(new Request(FLOW_URL, { method: 'POST', headers: d.headers, body: d.body }));

  it('refuses the same signed delivery sent again within the window; nothing runs twice', async () => {
    const handler = handlerWith();
    const d = buildDeliveryRequest(envelope(), 1, SECRET, h.clock.now());
    expect((await send(handler, d)).status).toBe(200);
    h.clock.advance(299_000);
    const replay = await send(handler, d);
    expect(replay.status).toBe(409);
    expect(runs).toBe(1);
    // A redelivery by the consumer is a new signature, and runs.
    expect((await send(handler, buildDeliveryRequest(envelope(), 2, SECRET, h.clock.now()))).status).toBe(200);
    expect(runs).toBe(2);
  });

  it('refuses a replay sent to another replica sharing the secret and the durable store', async () => {
    const store = new MemoryIdempotencyStore(h.clock);
    const replicaA = handlerWith({ replayStore: store });
    const replicaB = handlerWith({ replayStore: store });
    const d = buildDeliveryRequest(envelope(), 1, SECRET, h.clock.now());
    expect((await send(replicaA, d)).status).toBe(200);
    expect((await send(replicaB, d)).status).toBe(409);
    expect(runs).toBe(1);
  });

  it('answers 503 and runs nothing when the nonce cannot be recorded; the retry is then judged afresh', async () => {
    let down = true;
    const inner = new MemoryIdempotencyStore(h.clock);
    const store: NonceStore = {
      claimNonce: (key, ttl) => (down ? Promise.reject(new Error('ProvisionedThroughputExceededException')) : inner.claimNonce(key, ttl)),
    };
    const handler = handlerWith({ replayStore: store });
    const d = buildDeliveryRequest(envelope(), 1, SECRET, h.clock.now());
    expect((await send(handler, d)).status).toBe(503);
    expect(runs).toBe(0);
    down = false;
    expect((await send(handler, d)).status).toBe(200);
    expect((await send(handler, d)).status).toBe(409);
    expect(runs).toBe(1);
  });

  it('is refused on every later path too: a replay of a delivery that failed does not run again', async () => {
    const failing = makeCreateQueueHandler({
      signingSecret: SECRET,
      signatureToleranceSeconds: 300,
      clock: h.clock,
      logger: h.logger,
      registry: h.registry,
    })('__wkf_workflow_' as never, async () => {
      runs++;
      throw new Error('step failed');
    });
    const d = buildDeliveryRequest(envelope(), 1, SECRET, h.clock.now());
    expect((await send(failing, d)).status).toBe(500);
    expect((await send(failing, d)).status).toBe(409);
    expect(runs).toBe(1);
  });
});

describe('the cap as configured', () => {
  it('comes from WORKFLOW_AWS_MAX_DELIVERY_BYTES, defaults just above the SQS maximum, and names the variable when bad', async () => {
    const { ConfigError, resolveWorldConfig } = await import('../../../../src/config/world-config.js');
    expect(resolveWorldConfig({}, {}).maxDeliveryBodyBytes).toBe(1024 * 1024 + 64 * 1024);
    expect(resolveWorldConfig({}, { WORKFLOW_AWS_MAX_DELIVERY_BYTES: '4096' }).maxDeliveryBodyBytes).toBe(4096);
    expect(() => resolveWorldConfig({}, { WORKFLOW_AWS_MAX_DELIVERY_BYTES: 'lots' })).toThrow(ConfigError);
    expect(() => resolveWorldConfig({}, { WORKFLOW_AWS_MAX_DELIVERY_BYTES: 'lots' })).toThrow(/WORKFLOW_AWS_MAX_DELIVERY_BYTES/);
  });

  it("reaches the world's queue handler: a signed body over maxDeliveryBodyBytes gets 413", async () => {
    const { createWorld } = await import('../../../../src/world/create-world.js');
    const world = createWorld({ adapters: 'memory', consumer: 'none', signingSecret: SECRET, maxDeliveryBodyBytes: 1024 });
    const handler = world.createQueueHandler('__wkf_workflow_' as never, runtimeHandler);
    const big = buildDeliveryRequest(envelope({ pad: 'p'.repeat(2048) }), 1, SECRET, Date.now());
    const res = await handler(new Request(FLOW_URL, { method: 'POST', headers: big.headers, body: big.body }));
    expect(res.status).toBe(413);
    expect(runs).toBe(0);
    await world.close?.();
  });
});

describe('durable replay claims by consumer mode', () => {
  it('are written where HTTP deliveries exist, and skipped in Lambda mode where none crosses a network', async () => {
    const { createQueueServices } = await import('../../../../src/application/queue/queue-services.js');
    const { baseConfig, fakeRuns } = await import('./harness.js');
    const claims: string[] = [];
    const store = new MemoryIdempotencyStore(h.clock);
    store.claimNonce = async (key) => (claims.push(key), true);
    const deliverOnce = async (consumer: 'process' | 'lambda') => {
      const services = createQueueServices({
        config: { ...baseConfig, consumer, delivery: 'http', signingSecret: SECRET },
        messageQueue: h.queue,
        blobStore: h.blobs,
        idempotencyStore: store,
        clock: h.clock,
        ids: h.ids,
        logger: h.logger,
        runs: fakeRuns([]),
        options: { registry: h.registry, recoverActiveRuns: false },
      });
      const handler = services.createQueueHandler('__wkf_workflow_' as never, runtimeHandler);
      const d = buildDeliveryRequest(envelope(), 1, SECRET, h.clock.now());
      expect((await handler(new Request(FLOW_URL, { method: 'POST', headers: d.headers, body: d.body }))).status).toBe(200);
      await services.consumer.close();
    };
    await deliverOnce('process');
    expect(claims).toEqual([expect.stringMatching(/^delivery-nonce:[0-9a-f]{64}$/)]);
    await deliverOnce('lambda');
    expect(claims).toHaveLength(1);
  });
});

describe('keyed step deliveries: the delivery lease write is the replay check', () => {
  const STEP_URL = 'http://127.0.0.1/.well-known/workflow/v1/step';
  const stepEnvelope = (): Envelope => ({
    ...envelope({ workflowName: 'wf', workflowRunId: 'wrun_1', workflowStartedAt: 1, stepId: 'step_1' }),
    queueName: ValidQueueName.parse('__wkf_step_s'),
    idempotencyKey: 'step_1',
  });
  const attempts: number[] = [];
  function stepHandler(store: IdempotencyStore, clock: Clock = h.clock, body: () => Promise<void> = async () => undefined) {
    return makeCreateQueueHandler({
      signingSecret: SECRET,
      signatureToleranceSeconds: 300,
      replayStore: store,
      deliveryLeases: { store, settings: { leaseSeconds: 30, maxHandlerSeconds: 900, idempotencyWindowSeconds: 3600 } },
      clock,
      logger: h.logger,
      registry: h.registry,
    })('__wkf_step_' as never, async (_payload, meta) => {
      runs++;
      attempts.push(meta.attempt);
      await body();
      return undefined;
    });
  }
  /** A step handler whose body runs until `finish()`. */
  function slowStepHandler(store: IdempotencyStore) {
    const slow = { finish: () => undefined as void, handler: undefined as unknown as (req: Request) => Promise<Response> };
    slow.handler = stepHandler(store, h.clock, () => new Promise<void>((resolve) => (slow.finish = resolve)));
    return slow;
  }
  const post = (handler: (req: Request) => Promise<Response>, d: ReturnType<typeof buildDeliveryRequest>) =>
    handler(new Request(STEP_URL, { method: 'POST', headers: d.headers, body: d.body }));

  beforeEach(() => {
    attempts.length = 0;
  });

  it('one write per delivery: no nonce item, the lease is taken by the delivery nonce; a replay on another replica gets 409', async () => {
    const store = new MemoryIdempotencyStore(h.clock);
    const nonces = jest.spyOn(store, 'claimNonce');
    const begin = jest.spyOn(store, 'beginDelivery');
    await store.claimSend('step_1', stepEnvelope().id, 10, 3600);
    const d = buildDeliveryRequest(stepEnvelope(), 1, SECRET, h.clock.now(), 'ab'.repeat(16));
    expect((await post(stepHandler(store), d)).status).toBe(200);
    expect(nonces).not.toHaveBeenCalled();
    expect(begin).toHaveBeenCalledWith('step_1', stepEnvelope().id, 'ab'.repeat(16), 30, 3600);
    const replay = await post(stepHandler(store), d);
    expect(replay.status).toBe(409);
    expect(await replay.json()).toEqual({ error: 'Replayed delivery' });
    // Also once the lease is long gone, within the signature window.
    await h.clock.advance(200_000);
    expect((await post(stepHandler(store), d)).status).toBe(409);
    expect(runs).toBe(1);
  });

  it('two copies signed in the same millisecond are two deliveries: the second waits for the first’s lease and cannot free it', async () => {
    const store = new MemoryIdempotencyStore(h.clock);
    await store.claimSend('step_1', stepEnvelope().id, 10, 3600);
    const slow = slowStepHandler(store);
    const first = post(slow.handler, buildDeliveryRequest(stepEnvelope(), 1, SECRET, h.clock.now()));
    while (runs === 0) await new Promise((resolve) => setImmediate(resolve));
    const second = await post(slow.handler, buildDeliveryRequest(stepEnvelope(), 1, SECRET, h.clock.now()));
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: 'Delivery in progress' });
    // The first is still the holder: no later copy starts the step.
    expect((await post(slow.handler, buildDeliveryRequest(stepEnvelope(), 1, SECRET, h.clock.now()))).status).toBe(409);
    slow.finish();
    expect((await first).status).toBe(200);
    expect(runs).toBe(1);
  });

  it('a replica whose clock is 30 s ahead or behind neither takes a live lease nor is refused as a replay', async () => {
    const store = new MemoryIdempotencyStore(h.clock);
    await store.claimSend('step_1', stepEnvelope().id, 10, 3600);
    const holder = slowStepHandler(store);
    const running = post(holder.handler, buildDeliveryRequest(stepEnvelope(), 1, SECRET, h.clock.now()));
    while (runs === 0) await new Promise((resolve) => setImmediate(resolve));
    const ahead = new SkewedClock(h.clock, 30_000);
    const behind = new SkewedClock(h.clock, -30_000);
    // Through the whole lease and past it, the holder extending as it runs: the skewed replicas wait.
    for (let t = 0; t < 120_000; t += 5_000) {
      await h.clock.advance(5_000);
      for (const clock of [ahead, behind]) {
        const copy = await post(stepHandler(store, clock), buildDeliveryRequest(stepEnvelope(), 1, SECRET, clock.now()));
        expect(copy.status).toBe(409);
        expect(await copy.json()).toMatchObject({ error: 'Delivery in progress' });
      }
    }
    holder.finish();
    expect((await running).status).toBe(200);
    // Once that lease lapsed, the replica behind (signing 30 s before the last delivery) is a real redelivery, not a replay.
    await h.clock.advance(61_000);
    expect((await post(stepHandler(store, behind), buildDeliveryRequest(stepEnvelope(), 1, SECRET, behind.now()))).status).toBe(200);
    expect(runs).toBe(2);
  });

  it('a copy while another holds the lease gets 409 with the lease end and runs nothing; a stale message is acked unrun', async () => {
    const store = new MemoryIdempotencyStore(h.clock);
    await store.claimSend('step_1', stepEnvelope().id, 10, 3600);
    await store.beginDelivery('step_1', stepEnvelope().id, '0'.repeat(32), 30, 3600);
    const busy = await post(stepHandler(store), buildDeliveryRequest(stepEnvelope(), 1, SECRET, h.clock.now()));
    expect(busy.status).toBe(409);
    expect(await busy.json()).toEqual({ error: 'Delivery in progress', leaseEndsAt: h.clock.now() + 30_000 });
    const other = new MemoryIdempotencyStore(h.clock);
    await other.claimSend('step_1', 'msg_other', 10, 3600);
    const stale = await post(stepHandler(other), buildDeliveryRequest(stepEnvelope(), 1, SECRET, h.clock.now()));
    expect(stale.status).toBe(200);
    expect(runs).toBe(0);
  });

  it('the attempt the runtime sees comes from the lease (real redeliveries), not the signed receive count', async () => {
    const store = new MemoryIdempotencyStore(h.clock);
    await store.claimSend('step_1', stepEnvelope().id, 10, 3600);
    expect((await post(stepHandler(store), buildDeliveryRequest(stepEnvelope(), 4, SECRET, h.clock.now(), '1'.repeat(32)))).status).toBe(200);
    await store.releaseDelivery('step_1', stepEnvelope().id, '1'.repeat(32), false);
    expect((await post(stepHandler(store), buildDeliveryRequest(stepEnvelope(), 7, SECRET, h.clock.now()))).status).toBe(200);
    expect(attempts).toEqual([1, 2]);
  });

  it('answers 503 and runs nothing when the lease cannot be written', async () => {
    const store = new MemoryIdempotencyStore(h.clock);
    store.beginDelivery = async () => Promise.reject(new Error('ThrottlingException'));
    expect((await post(stepHandler(store), buildDeliveryRequest(stepEnvelope(), 1, SECRET, h.clock.now()))).status).toBe(503);
    expect(runs).toBe(0);
  });
});

/** Another replica's clock: the same time plus a fixed offset. */
class SkewedClock implements Clock {
  constructor(
    private readonly base: Clock,
    private readonly offsetMs: number,
  ) {}
  now(): number {
    return this.base.now() + this.offsetMs;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms, signal);
  }
}
