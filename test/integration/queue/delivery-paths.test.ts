// Signed HTTP delivery through SQS, forged requests, S3 claim checks and
// DynamoDB idempotency, on the real adapters.
import { jest } from '@jest/globals';
import type { ValidQueueName } from '@workflow/world';
import { DELIVERY_HEADERS } from '../../../src/application/queue/delivery-protocol.js';
import { ENVELOPE_VERSION, encodeEnvelope } from '../../../src/application/queue/envelope.js';
import { signDelivery } from '../../../src/application/queue/signature.js';
import { serveRoutes, type RouteServer } from '../../unit/application/queue/route-server.js';
import { closeWorlds, queueWorld, startLocalStack, waitFor, type LocalStack } from './local-stack.js';

jest.setTimeout(40_000);

const SECRET = 'integration-secret-0123456789abcdef01';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterEach(closeWorlds);
afterAll(async () => {
  await stack?.stop();
});

describe('HTTP delivery', () => {
  let server: RouteServer;
  const seen: Array<{ payload: unknown; attempt: number }> = [];

  beforeAll(async () => {
    // The app: its routes are the runtime's handlers, built on their own world instance.
    const app = queueWorld(stack, { config: { signingSecret: SECRET, consumer: 'none' } });
    const handler = async (payload: unknown, meta: { attempt: number }) => {
      seen.push({ payload, attempt: meta.attempt });
    };
    server = await serveRoutes({
      '/.well-known/workflow/v1/flow': app.services.createQueueHandler('__wkf_workflow_', handler),
      '/.well-known/workflow/v1/step': app.services.createQueueHandler('__wkf_step_', handler),
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('delivers from SQS to the app over signed HTTP on the port from PORT', async () => {
    const { services } = queueWorld(stack, { config: { signingSecret: SECRET, delivery: 'http' }, env: { PORT: String(server.port) } });
    await services.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_http' });
    await waitFor(() => seen.length === 1, 10_000);
    await services.consumer.close();
    expect(seen).toEqual([{ payload: { runId: 'wrun_http' }, attempt: 1 }]);
  });

  it('answers a forged delivery with 401 and never reaches the runtime', async () => {
    seen.length = 0;
    const body = encodeEnvelope({
      v: ENVELOPE_VERSION,
      id: 'msg_01J00000000000000000000099',
      queueName: '__wkf_workflow_wf' as ValidQueueName,
      deploymentId: 'aws:it',
      payload: { runId: 'wrun_forged' },
    });
    const now = String(Date.now());
    const url = `${server.baseUrl}/.well-known/workflow/v1/flow`;
    const attempts: Array<Record<string, string>> = [
      { [DELIVERY_HEADERS.attempt]: '1' },
      { [DELIVERY_HEADERS.attempt]: '1', [DELIVERY_HEADERS.timestamp]: now, [DELIVERY_HEADERS.signature]: signDelivery('guessed-secret-of-32-bytes-or-more', { method: 'POST', route: 'flow' }, now, '1', body) },
    ];
    for (const headers of attempts) {
      const res = await fetch(url, { method: 'POST', headers, body });
      expect(res.status).toBe(401);
    }
    expect(seen).toEqual([]);
  });
});

it('carries an oversize payload through S3 and deletes it after the final ack', async () => {
  const { services } = queueWorld(stack, { config: { maxMessageBytes: 64 * 1024 } });
  const input = new Uint8Array(300 * 1024).map((_, i) => (i * 7) % 256);
  const seen: Uint8Array[] = [];
  services.createQueueHandler('__wkf_workflow_', async (payload) => {
    seen.push((payload as { runInput: { input: Uint8Array } }).runInput.input);
  });
  const { messageId } = await services.queue('__wkf_workflow_wf' as ValidQueueName, {
    runId: 'wrun_big',
    runInput: { input, deploymentId: 'aws:it', workflowName: 'wf', specVersion: 3 },
  });
  await waitFor(() => seen.length === 1, 10_000);
  await services.consumer.close();
  expect(Buffer.compare(Buffer.from(seen[0]!), Buffer.from(input))).toBe(0);
  const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
  const head = await stack.clients.s3.send(new HeadObjectCommand({ Bucket: stack.aws.names.bucket, Key: `queue/${messageId}` })).catch((e: unknown) => e);
  expect((head as { name?: string }).name).toBe('NotFound');
});

it('sends one of two step messages with the same idempotency key, and delivers it once', async () => {
  const { services } = queueWorld(stack);
  const seen: string[] = [];
  services.createQueueHandler('__wkf_step_', async (_payload, meta) => {
    seen.push(meta.messageId);
  });
  const payload = { workflowName: 'wf', workflowRunId: 'wrun_idem', workflowStartedAt: 1, stepId: 'step_idem' };
  const first = await services.queue('__wkf_step_s' as ValidQueueName, payload, { idempotencyKey: `step_idem_${process.pid}` });
  const second = await services.queue('__wkf_step_s' as ValidQueueName, payload, { idempotencyKey: `step_idem_${process.pid}` });
  expect(second.messageId).toBe(first.messageId);
  await waitFor(() => seen.length === 1, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await services.consumer.close();
  expect(seen).toHaveLength(1);
  expect(seen).toEqual([first.messageId]);
});
