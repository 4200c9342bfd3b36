// A receive that fails for a configuration reason (credentials, endpoint,
// region) is logged once with its cause and fix and retried with backoff,
// not warned about every second.
import { ManualClock } from '../../../../src/adapters/memory/manual-clock.js';
import { createPollingConsumer } from '../../../../src/application/queue/consumer.js';
import { ACCESS_PROBLEM_MAX_PAUSE_MS, RECEIVE_ERROR_PAUSE_MS } from '../../../../src/application/queue/receive-failures.js';
import type { MessageQueue, ReceivedMessage } from '../../../../src/ports/message-queue.js';
import { ServiceAccessError } from '../../../../src/ports/service-access.js';
import { RecordingLogger } from './harness.js';

const NO_CREDENTIALS = new ServiceAccessError({
  kind: 'credentials',
  cause: 'AWS credentials are missing or invalid (SQS: CredentialsProviderError)',
  fix: 'set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
});

/** A queue whose receives fail with `failure()` until it returns undefined, then wait out their poll. */
function failingQueue(clock: ManualClock, failure: () => Error | undefined) {
  const receivedAt: number[] = [];
  const queue = {
    maxDelaySeconds: 900,
    maxMessageBytes: 1024,
    async receive(_channel: string, options: { waitSeconds: number; signal?: AbortSignal }): Promise<ReceivedMessage[]> {
      receivedAt.push(clock.now());
      const error = failure();
      if (error) throw error;
      await clock.sleep(options.waitSeconds * 1000, options.signal).catch(() => undefined);
      return [];
    },
  } as unknown as MessageQueue;
  return { queue, receivedAt };
}

function consumer(queue: MessageQueue, clock: ManualClock, logger: RecordingLogger) {
  return createPollingConsumer({
    queue,
    processor: { process: async () => ({ kind: 'ack' }) } as never,
    clock,
    logger,
    concurrency: 1,
    visibilitySeconds: 60,
    pollWaitSeconds: 20,
    closeGraceMs: 0,
  });
}

async function advance(clock: ManualClock, ms: number, step = 500): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await clock.advance(step);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  }
}

it('logs a credentials problem once, with its cause and fix, and backs off up to a minute', async () => {
  const clock = new ManualClock(0);
  const logger = new RecordingLogger();
  const { queue, receivedAt } = failingQueue(clock, () => NO_CREDENTIALS);
  const c = consumer(queue, clock, logger);
  c.start();
  await advance(clock, 6_000);
  // The consumer made 14 attempts in 6 s; with backoff, two channels make a handful.
  expect(receivedAt.length).toBeLessThanOrEqual(8);
  await advance(clock, 10 * 60_000, 5_000);
  const errors = logger.at('error');
  expect(errors).toHaveLength(1);
  expect(errors[0]!.message).toContain('AWS credentials are missing or invalid (SQS: CredentialsProviderError)');
  expect(errors[0]!.message).toContain('Fix: set AWS_PROFILE');
  expect(logger.at('warn')).toEqual([]);
  const gaps = receivedAt.slice(1).map((t, i) => t - receivedAt[i]!);
  expect(Math.max(...gaps)).toBeLessThanOrEqual(ACCESS_PROBLEM_MAX_PAUSE_MS + 5_000);
  expect(Math.max(...gaps)).toBeGreaterThanOrEqual(ACCESS_PROBLEM_MAX_PAUSE_MS / 2);
  const closing = c.close();
  await advance(clock, 1_000);
  await closing;
});

it('says when receiving works again, and starts the backoff over', async () => {
  const clock = new ManualClock(0);
  const logger = new RecordingLogger();
  let failing = 3;
  const { queue } = failingQueue(clock, () => (failing-- > 0 ? NO_CREDENTIALS : undefined));
  const c = consumer(queue, clock, logger);
  c.start();
  await advance(clock, 60_000);
  expect(logger.at('error')).toHaveLength(1);
  expect(logger.at('warn').map((e) => e.message)).toEqual(['The queue consumer receives again']);
  const closing = c.close();
  await advance(clock, 21_000);
  await closing;
});

it('other failures keep the warning and the one-second pause', async () => {
  const clock = new ManualClock(0);
  const logger = new RecordingLogger();
  let failing = 1;
  const { queue, receivedAt } = failingQueue(clock, () => (failing-- > 0 ? new Error('SQS.ReceiveMessage(workflow) failed: InternalError') : undefined));
  const c = consumer(queue, clock, logger);
  c.start();
  await advance(clock, 2_000);
  expect(logger.at('warn')[0]!.message).toBe('Receiving from the queue failed; pausing before the next poll');
  // Both channels poll at once; the failed one polls again one pause later.
  expect(receivedAt).toEqual([receivedAt[0], receivedAt[0], receivedAt[0]! + RECEIVE_ERROR_PAUSE_MS]);
  const closing = c.close();
  await advance(clock, 21_000);
  await closing;
});
