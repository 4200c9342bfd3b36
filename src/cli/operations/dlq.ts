// dlq: list, show, redrive and purge the installation's two dead-letter queues.
import { DeleteMessageCommand, GetQueueAttributesCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import type { CliContext } from '../base-command.js';
import { isPurgeInProgress, isUnknownOperation } from '../../adapters/aws/aws-errors.js';
import { CliFailure, NotBootstrapped } from '../errors.js';
import { receiveAll, release, type DeadLetter } from '../dlq/dead-letters.js';
import { latestMoveTask, redriveLoop, startMoveTask, type DlqQueue, type RedriveOutcome } from '../dlq/redrive.js';
import { installationWorld } from '../status/installation-world.js';
import { findQueueUrl } from '../status/queues.js';

export type Channel = 'workflow' | 'step';
export const CHANNELS: readonly Channel[] = ['workflow', 'step'];

export async function dlqQueues(ctx: CliContext, channels: readonly Channel[]): Promise<DlqQueue[]> {
  return Promise.all(
    channels.map(async (channel) => {
      const dlqName = channel === 'workflow' ? ctx.names.workflowDlq : ctx.names.stepDlq;
      const sourceName = channel === 'workflow' ? ctx.names.workflowQueue : ctx.names.stepQueue;
      const [dlqUrl, sourceUrl] = await Promise.all([findQueueUrl(ctx.clients.sqs, dlqName), findQueueUrl(ctx.clients.sqs, sourceName)]);
      if (!dlqUrl) throw new NotBootstrapped(ctx.name, ctx.region, `dlq ${dlqName}`);
      if (!sourceUrl) throw new NotBootstrapped(ctx.name, ctx.region, `queue ${sourceName}`);
      const arn = (await ctx.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
      if (!arn) throw new Error(`GetQueueAttributes returned no QueueArn for ${dlqName}`);
      return { channel, dlqName, dlqUrl, dlqArn: arn, sourceUrl };
    }),
  );
}

/** Every dead letter (up to `max` per DLQ), each with its run's or step's last error when the world recorded one. */
export async function listDeadLetters(ctx: CliContext, options: { channels: readonly Channel[]; max: number; errors: boolean }): Promise<DeadLetter[]> {
  const queues = await dlqQueues(ctx, options.channels);
  const letters: DeadLetter[] = [];
  for (const queue of queues) {
    const received = await receiveAll(ctx.clients.sqs, queue.dlqUrl, queue.dlqName, options.max);
    await release(ctx.clients.sqs, queue.dlqUrl, received.map((r) => r.message));
    letters.push(...received.map((r) => r.letter));
  }
  if (options.errors) await addLastErrors(ctx, letters);
  return letters;
}

/** One GetItem per message through the world's Storage API (runs.get / steps.get). */
async function addLastErrors(ctx: CliContext, letters: DeadLetter[]): Promise<void> {
  if (!letters.some((l) => l.runId)) return;
  const world = installationWorld(ctx);
  try {
    for (const letter of letters) {
      if (!letter.runId) continue;
      try {
        const entity = letter.stepId
          ? await world.steps.get(letter.runId, letter.stepId, { resolveData: 'none' })
          : await world.runs.get(letter.runId, { resolveData: 'none' });
        if (entity.error?.message) letter.lastError = entity.error.message.split('\n')[0]!.slice(0, 300);
      } catch {
        // Not recorded (the run was never created, or has expired): nothing to add.
      }
    }
  } finally {
    await world.close().catch(() => undefined);
  }
}

export interface RedriveOptions {
  channels: readonly Channel[];
  runIds?: ReadonlySet<string>;
  max: number;
  /** Messages per second for StartMessageMoveTask (max 500); default: SQS decides. */
  rate?: number;
  /** Poll the move task until it finishes. */
  wait: boolean;
  note(line: string): void;
}

export async function redrive(ctx: CliContext, options: RedriveOptions): Promise<RedriveOutcome[]> {
  const queues = await dlqQueues(ctx, options.channels);
  const outcomes: RedriveOutcome[] = [];
  for (const queue of queues) {
    if (options.runIds) {
      outcomes.push({ channel: queue.channel, method: 'loop', ...(await redriveLoop(ctx.clients.sqs, queue, { runIds: options.runIds }, options.max)) });
      continue;
    }
    let taskHandle: string;
    try {
      taskHandle = await startMoveTask(ctx.clients.sqs, queue, options.rate);
    } catch (error) {
      // No move tasks at this endpoint (the local AWS): the loop below. Any other refusal is reported.
      if (!isUnknownOperation(error)) throw error;
      const reason = `${queue.dlqName}: this endpoint has no SQS message move tasks; moving messages one by one instead`;
      options.note(reason);
      outcomes.push({ channel: queue.channel, method: 'loop', fallbackReason: reason, ...(await redriveLoop(ctx.clients.sqs, queue, {}, options.max)) });
      continue;
    }
    let task = await latestMoveTask(ctx.clients.sqs, queue.dlqArn);
    while (options.wait && task?.Status === 'RUNNING') {
      await ctx.sleep(2000);
      task = await latestMoveTask(ctx.clients.sqs, queue.dlqArn);
    }
    outcomes.push({
      channel: queue.channel,
      method: 'move-task',
      taskHandle,
      ...(task?.Status ? { status: task.Status } : {}),
      ...(task?.ApproximateNumberOfMessagesMoved !== undefined ? { moved: task.ApproximateNumberOfMessagesMoved } : {}),
      ...(task?.ApproximateNumberOfMessagesToMove !== undefined ? { toMove: task.ApproximateNumberOfMessagesToMove } : {}),
      ...(task?.FailureReason ? { failureReason: task.FailureReason } : {}),
    });
  }
  return outcomes;
}

export async function purge(ctx: CliContext, channels: readonly Channel[]): Promise<string[]> {
  const queues = await dlqQueues(ctx, channels);
  for (const queue of queues) {
    try {
      await ctx.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: queue.dlqUrl }));
    } catch (error) {
      if (isPurgeInProgress(error)) {
        throw new CliFailure(`${queue.dlqName} was purged less than 60 seconds ago (SQS allows one purge a minute); try again shortly.`);
      }
      throw error;
    }
  }
  return queues.map((q) => q.dlqName);
}

export interface DropOptions {
  channels: readonly Channel[];
  /** SQS message ids to drop. */
  messageIds: ReadonlySet<string>;
  /** Drop every message of these runs. */
  runIds: ReadonlySet<string>;
  /** Drop every message whose envelope cannot be read. */
  undecodable: boolean;
  max: number;
}

/**
 * Deletes the chosen dead letters, one by one, and hands every other message
 * back at once. What a dropped message referenced in S3 expires with the
 * bucket's lifecycle rules.
 */
export async function drop(ctx: CliContext, options: DropOptions): Promise<DeadLetter[]> {
  const queues = await dlqQueues(ctx, options.channels);
  const dropped: DeadLetter[] = [];
  for (const queue of queues) {
    const received = await receiveAll(ctx.clients.sqs, queue.dlqUrl, queue.dlqName, options.max);
    const keep = [];
    try {
      for (const { message, letter } of received) {
        const chosen =
          options.messageIds.has(letter.messageId) ||
          (letter.runId !== undefined && options.runIds.has(letter.runId)) ||
          (options.undecodable && letter.undecodable !== undefined);
        if (!chosen) {
          keep.push(message);
          continue;
        }
        await ctx.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queue.dlqUrl, ReceiptHandle: message.ReceiptHandle }));
        dropped.push(letter);
      }
    } finally {
      await release(ctx.clients.sqs, queue.dlqUrl, keep);
    }
  }
  return dropped;
}
