// Queue services on the embedded local AWS (fauxqs SQS + S3, dynalite), with
// the real SQS, S3 and DynamoDB adapters and the system clock.
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Storage } from '@workflow/world';
import { SystemClock } from '../../../src/adapters/system/system-clock.js';
import { S3BlobStore } from '../../../src/adapters/aws/s3/index.js';
import { DynamoDbIdempotencyStore } from '../../../src/adapters/aws/dynamodb/index.js';
import { SqsMessageQueue } from '../../../src/adapters/aws/sqs/sqs-message-queue.js';
import { CryptoIdSource } from '../../../src/adapters/system/crypto-id-source.js';
import { localClients, startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';
import { createHandlerRegistry, type HandlerRegistry } from '../../../src/application/queue/handler-registry.js';
import { createQueueServices, type QueueConfig, type QueueServices, type QueueServicesOptions } from '../../../src/application/queue/queue-services.js';
import type { Clock } from '../../../src/ports/clock.js';
import type { MessageQueue } from '../../../src/ports/message-queue.js';
import { RecordingLogger, fakeRuns } from '../../unit/application/queue/harness.js';

export interface LocalStack {
  aws: LocalAws;
  clients: ReturnType<typeof localClients>;
  sqs: SqsMessageQueue;
  stop(): Promise<void>;
}

/** `handBackGonePolls: false`: messages handed to a gone long poll stay hidden, as on real SQS. */
export async function startLocalStack(options: { handBackGonePolls?: boolean } = {}): Promise<LocalStack> {
  const aws = await startLocalAws({ name: `qit${process.pid}`, maxReceiveCount: testConfig.maxReceiveCount, handBackGonePolls: options.handBackGonePolls });
  const clients = localClients(aws.endpoints, aws.region);
  const sqs = new SqsMessageQueue(clients.sqs, { workflow: { url: aws.queueUrls.workflow }, step: { url: aws.queueUrls.step } }, {
    maxDelaySeconds: 900,
    maxMessageBytes: 256 * 1024,
  });
  return {
    aws,
    clients,
    sqs,
    async stop() {
      for (const client of Object.values(clients)) client.destroy();
      await aws.stop();
    },
  };
}

export const testConfig: QueueConfig = {
  deploymentId: 'aws:it',
  consumer: 'process',
  delivery: 'in-process',
  concurrency: 8,
  maxDelaySeconds: 900,
  maxReceiveCount: 10,
  retryBaseSeconds: 1,
  retryMaxSeconds: 2,
  visibilitySeconds: 10,
  maxHandlerSeconds: 900,
  maxMessageBytes: 256 * 1024,
  idempotencyWindowSeconds: 3600,
};

export interface WorldOptions {
  config?: Partial<QueueConfig>;
  /** This process's clock (default: the system clock); a skewed one simulates a replica whose clock is off. */
  clock?: Clock;
  /** Wraps the SQS adapter (to count sends, or to simulate a dead process). */
  wrap?: (queue: MessageQueue) => MessageQueue;
  registry?: HandlerRegistry;
  env?: Record<string, string | undefined>;
  /** Over this helper's consumer options (1 s polls, 1.5 s close grace); `undefined` restores a default. */
  queueOptions?: QueueServicesOptions;
  /** The storage's runs (default: none active, `get` unused). */
  runs?: Storage['runs'];
}

const openWorlds = new Set<QueueServices>();

/** Closes every world a test built, so a failed test cannot leave pollers running. */
export async function closeWorlds(): Promise<void> {
  const worlds = [...openWorlds];
  openWorlds.clear();
  await Promise.all(worlds.map((w) => w.consumer.close()));
}

export function queueWorld(stack: LocalStack, options: WorldOptions = {}): { services: QueueServices; logger: RecordingLogger; registry: HandlerRegistry } {
  const logger = new RecordingLogger();
  const registry = options.registry ?? createHandlerRegistry();
  const clock = options.clock ?? new SystemClock();
  const services = createQueueServices({
    config: { ...testConfig, ...options.config },
    messageQueue: options.wrap ? options.wrap(stack.sqs) : stack.sqs,
    blobStore: new S3BlobStore(stack.clients.s3, stack.aws.names.bucket),
    idempotencyStore: new DynamoDbIdempotencyStore(stack.clients.dynamodb, stack.aws.names.tables.steps, clock),
    clock,
    ids: new CryptoIdSource(),
    logger,
    runs: options.runs ?? fakeRuns([]),
    // Polls end by themselves on close: an aborted poll can swallow the next test's message for a lease.
    options: { registry, pollWaitSeconds: 1, closeGraceMs: 1_500, env: options.env ?? {}, recoverActiveRuns: false, ...options.queueOptions },
  });
  openWorlds.add(services);
  return { services, logger, registry };
}

/** Counts the delay of every message sent. */
export function countingSends(delays: number[]): (queue: MessageQueue) => MessageQueue {
  return (queue) => ({
    maxDelaySeconds: queue.maxDelaySeconds,
    maxMessageBytes: queue.maxMessageBytes,
    send: (channel, message) => {
      delays.push(message.delaySeconds);
      return queue.send(channel, message);
    },
    receive: (channel, o) => queue.receive(channel, o),
    ack: (channel, receipt) => queue.ack(channel, receipt),
    setVisibility: (channel, receipt, seconds) => queue.setVisibility(channel, receipt, seconds),
  });
}

export async function receiveFromDlq(stack: LocalStack, which: 'workflowDlq' | 'stepDlq'): Promise<string[]> {
  const out = await stack.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.aws.queueUrls[which], WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
  return (out.Messages ?? []).map((m) => m.Body ?? '');
}

export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
