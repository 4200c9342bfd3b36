// queueBatch: one outcome per message, in input order; a failure is reported, not thrown.
import { jest } from '@jest/globals';
import { WorkflowWorldError } from '@workflow/errors';
import { isRetryableQueueError, makeQueueBatch } from '../../../src/world-v5/queue-batch.js';

const NAME = '__wkf_workflow_wf' as never;

describe('queueBatch', () => {
  it('sends every message at once and answers in input order', async () => {
    const started: string[] = [];
    const release: Array<() => void> = [];
    const queue = async (_name: unknown, message: unknown) => {
      const id = (message as { runId: string }).runId;
      started.push(id);
      await new Promise<void>((resolve) => release.push(resolve));
      return { messageId: `msg_${id}` };
    };
    const batch = makeQueueBatch(queue as never)(NAME, [{ message: { runId: 'a' } }, { message: { runId: 'b' } }, { message: { runId: 'c' } }] as never);
    await new Promise((resolve) => setImmediate(resolve));
    // All three are in flight together (the SQS batcher joins them).
    expect(started).toEqual(['a', 'b', 'c']);
    release.reverse().forEach((r) => r());
    await expect(batch).resolves.toEqual([{ messageId: 'msg_a' }, { messageId: 'msg_b' }, { messageId: 'msg_c' }]);
  });

  it('reports each failed message with whether sending again may succeed', async () => {
    const queue = async (_name: unknown, message: unknown, opts?: { idempotencyKey?: string }) => {
      const kind = (message as { kind: string }).kind;
      if (kind === 'bad') throw new WorkflowWorldError('Invalid delaySeconds -1', { status: 400 });
      if (kind === 'down') throw new WorkflowWorldError('SQS unavailable', { status: 503 });
      if (kind === 'raw') throw new Error('socket hang up');
      return { messageId: `msg_${opts?.idempotencyKey}` };
    };
    const results = await makeQueueBatch(queue as never)(NAME, [
      { message: { kind: 'ok' }, opts: { idempotencyKey: 'k1' } },
      { message: { kind: 'bad' } },
      { message: { kind: 'down' } },
      { message: { kind: 'raw' } },
    ] as never);
    expect(results).toEqual([
      { messageId: 'msg_k1' },
      { messageId: null, error: 'Invalid delaySeconds -1', retryable: false },
      { messageId: null, error: 'SQS unavailable', retryable: true },
      { messageId: null, error: 'socket hang up', retryable: true },
    ]);
  });

  it('answers an empty batch with no results, and refuses a non-array (400)', async () => {
    const queue = jest.fn();
    await expect(makeQueueBatch(queue as never)(NAME, [])).resolves.toEqual([]);
    await expect(makeQueueBatch(queue as never)(NAME, null as never)).rejects.toMatchObject({ status: 400 });
    expect(queue).not.toHaveBeenCalled();
  });

  it.each([
    [{ status: 400 }, false],
    [{ status: 409 }, false],
    [{ status: 408 }, true],
    [{ status: 429 }, true],
    [{ status: 500 }, true],
    [{}, true],
    [null, true],
  ])('retryable(%j) = %s', (error, retryable) => {
    expect(isRetryableQueueError(error)).toBe(retryable);
  });
});
