// Queue.queueBatch: every message through queue(), concurrently. The SQS
// adapter's request batcher joins sends issued together into
// SendMessageBatch requests (10 entries, 1 MiB each), so a fan-out's messages
// go out in a few requests. One outcome per message, in input order; a failed
// message is reported, never thrown.
import { WorkflowWorldError } from '@workflow/errors';
import type { QueueBatchResult, QueueOptions, QueuePayload, ValidQueueName } from './types.js';

type QueueFn = (name: ValidQueueName, message: QueuePayload, opts?: QueueOptions) => Promise<{ messageId: string | null }>;

/** Whether sending the batch again may succeed: not for a request refused as invalid (4xx other than timeout and throttling). */
export function isRetryableQueueError(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return true;
  return status === 408 || status === 429;
}

export function makeQueueBatch(queue: QueueFn) {
  return async (queueName: ValidQueueName, messages: readonly { message: QueuePayload; opts?: QueueOptions }[]): Promise<QueueBatchResult[]> => {
    if (!Array.isArray(messages)) throw new WorkflowWorldError('queueBatch: expected an array of messages', { status: 400 });
    return Promise.all(
      messages.map(async (entry): Promise<QueueBatchResult> => {
        try {
          const { messageId } = await queue(queueName, entry?.message, entry?.opts);
          return { messageId: messageId as QueueBatchResult['messageId'] };
        } catch (error) {
          return { messageId: null, error: error instanceof Error ? error.message : String(error), retryable: isRetryableQueueError(error) };
        }
      }),
    );
  };
}
