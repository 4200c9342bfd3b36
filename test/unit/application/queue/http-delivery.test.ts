// Signed HTTP delivery from the deliverer to the queue handler over loopback.
import { ValidQueueName } from '@workflow/world';
import { SystemClock } from '../../../../src/adapters/system/system-clock.js';
import { BaseUrlError, resolveDeliveryBaseUrl } from '../../../../src/application/queue/base-url.js';
import { createHandlerRegistry } from '../../../../src/application/queue/handler-registry.js';
import { createHttpDeliverer } from '../../../../src/application/queue/http-deliverer.js';
import { ENVELOPE_VERSION, encodeEnvelope, type Envelope } from '../../../../src/application/queue/envelope.js';
import { makeCreateQueueHandler, type RuntimeHandler } from '../../../../src/application/queue/queue-handler.js';
import type { Deliverer } from '../../../../src/application/queue/deliverer.js';
import { RecordingLogger } from './harness.js';
import { serveRoutes, type RouteServer } from './route-server.js';

const SECRET = 'shared-secret-0123456789abcdef0123456';
const clock = new SystemClock();

const envelope = (queueName: string, payload: unknown): Envelope => ({
  v: ENVELOPE_VERSION,
  id: 'msg_01J00000000000000000000007',
  queueName: ValidQueueName.parse(queueName),
  deploymentId: 'aws:test',
  headers: { traceparent: '00-aaaa-bbbb-01', 'x-workflow-aws-attempt': '99' },
  payload,
});

let server: RouteServer;
let seen: Array<{ payload: unknown; attempt: number; traceparent?: string }>;
let result: Awaited<ReturnType<RuntimeHandler>> | Error;
let deliverers: Deliverer[];

beforeAll(async () => {
  const createQueueHandler = makeCreateQueueHandler({
    signingSecret: SECRET,
    signatureToleranceSeconds: 300,
    clock,
    logger: new RecordingLogger(),
    registry: createHandlerRegistry(),
  });
  const handler: RuntimeHandler = async (payload, meta) => {
    seen.push({ payload, attempt: meta.attempt });
    if (result instanceof Error) throw result;
    return result;
  };
  const flow = createQueueHandler('__wkf_workflow_', handler);
  const step = createQueueHandler('__wkf_step_', handler);
  // Records the forwarded trace header as the route receives it.
  const withTrace = (route: typeof flow) => async (req: Request) => {
    const res = await route(req);
    if (seen.length > 0) seen[seen.length - 1]!.traceparent = req.headers.get('traceparent') ?? undefined;
    return res;
  };
  server = await serveRoutes({
    '/base/.well-known/workflow/v1/flow': withTrace(flow),
    '/base/.well-known/workflow/v1/step': withTrace(step),
  });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  seen = [];
  result = undefined;
  deliverers = [];
});

afterEach(async () => {
  await Promise.all(deliverers.map((d) => d.close()));
});

function deliverer(secret: string | undefined, baseUrl = `${server.baseUrl}/base`): Deliverer {
  const d = createHttpDeliverer({ config: { baseUrl, signingSecret: secret }, env: {}, clock });
  deliverers.push(d);
  return d;
}

it('delivers a signed message to the route for its kind, with bytes and trace headers intact', async () => {
  const input = new Uint8Array([0, 1, 254, 255]);
  await expect(deliverer(SECRET).deliver(envelope('__wkf_step_step//./a//b', { stepId: 'step_1', input }), 4)).resolves.toEqual({ kind: 'done' });
  expect(seen).toEqual([{ payload: { stepId: 'step_1', input }, attempt: 4, traceparent: '00-aaaa-bbbb-01' }]);
});

it('reads {timeoutSeconds} and failures from the response', async () => {
  result = { timeoutSeconds: 12 };
  await expect(deliverer(SECRET).deliver(envelope('__wkf_workflow_wf', { runId: 'r' }), 1)).resolves.toEqual({ kind: 'reschedule', timeoutSeconds: 12 });
  result = new Error('replay failed');
  await expect(deliverer(SECRET).deliver(envelope('__wkf_workflow_wf', { runId: 'r' }), 1)).resolves.toEqual({
    kind: 'failed',
    status: 500,
    reason: 'HTTP 500: replay failed',
  });
});

it('gets 401 for a forged delivery, which never reaches the runtime', async () => {
  await expect(deliverer('wrong-secret').deliver(envelope('__wkf_workflow_wf', { runId: 'r' }), 1)).resolves.toMatchObject({ kind: 'failed', status: 401 });
  const raw = await fetch(`${server.baseUrl}/base/.well-known/workflow/v1/flow`, {
    method: 'POST',
    headers: { 'x-workflow-aws-attempt': '1' },
    body: encodeEnvelope(envelope('__wkf_workflow_wf', { runId: 'r' })),
  });
  expect(raw.status).toBe(401);
  expect(seen).toEqual([]);
});

it('reports an unreachable app as a failed delivery', async () => {
  const closed = await serveRoutes({});
  await closed.close();
  const outcome = await deliverer(SECRET, closed.baseUrl).deliver(envelope('__wkf_workflow_wf', { runId: 'r' }), 1);
  expect(outcome.kind).toBe('failed');
});

describe('base URL', () => {
  const BASE_PATH = Symbol.for('@workflow/core/basePath');
  afterEach(() => {
    delete (globalThis as Record<symbol, unknown>)[BASE_PATH];
  });

  it('prefers the configured base URL, then the port, then PORT, on 127.0.0.1', () => {
    expect(resolveDeliveryBaseUrl({ baseUrl: 'https://app.example/x', port: 1 }, { PORT: '2' })).toBe('https://app.example/x');
    expect(resolveDeliveryBaseUrl({ port: 3000 }, { PORT: '2' })).toBe('http://127.0.0.1:3000');
    expect(resolveDeliveryBaseUrl({}, { PORT: '4000' })).toBe('http://127.0.0.1:4000');
  });

  it('falls back to WORKFLOW_LOCAL_BASE_URL (what world-local and world-postgres read), after PORT', () => {
    expect(resolveDeliveryBaseUrl({}, { WORKFLOW_LOCAL_BASE_URL: 'http://127.0.0.1:5000' })).toBe('http://127.0.0.1:5000');
    expect(resolveDeliveryBaseUrl({}, { WORKFLOW_LOCAL_BASE_URL: 'http://127.0.0.1:5000', PORT: '4000' })).toBe('http://127.0.0.1:4000');
    expect(resolveDeliveryBaseUrl({ baseUrl: 'https://app.example' }, { WORKFLOW_LOCAL_BASE_URL: 'http://127.0.0.1:5000' })).toBe('https://app.example');
  });

  it('appends the base path the runtime recorded', () => {
    (globalThis as Record<symbol, unknown>)[BASE_PATH] = '/docs';
    expect(resolveDeliveryBaseUrl({ port: 3000 }, {})).toBe('http://127.0.0.1:3000/docs');
  });

  it('fails clearly when neither is set', () => {
    expect(() => resolveDeliveryBaseUrl({}, {})).toThrow(BaseUrlError);
    expect(() => resolveDeliveryBaseUrl({}, { PORT: 'abc' })).toThrow(/WORKFLOW_AWS_BASE_URL, PORT or WORKFLOW_LOCAL_BASE_URL/);
  });

  it('turns a missing base URL into a failed delivery', async () => {
    const d = createHttpDeliverer({ config: {}, env: {}, clock });
    await expect(d.deliver(envelope('__wkf_workflow_wf', { runId: 'r' }), 1)).resolves.toMatchObject({ kind: 'failed', reason: expect.stringMatching(/PORT/) });
  });
});
