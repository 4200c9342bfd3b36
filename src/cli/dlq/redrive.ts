// Moving dead letters back to the queue they came from.
// - Everything, on AWS: SQS's own StartMessageMoveTask (source = the DLQ, no
//   destination = back to each message's source queue). It cannot filter.
// - By run id, or where the endpoint has no move tasks (the local AWS): a
//   receive → send → delete loop. A message is deleted from the DLQ only
//   after it was sent, so a crash in between duplicates it (handlers are
//   idempotent per message id) rather than losing it. The loop leaves
//   undecodable messages where they are: no consumer can run them, so they
//   would only come back after every delivery attempt (`dlq drop` deletes them).
import {
  DeleteMessageCommand,
  ListMessageMoveTasksCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { receiveAll, release, type DeadLetter } from './dead-letters.js';

export interface DlqQueue {
  /** workflow or step */
  channel: 'workflow' | 'step';
  dlqName: string;
  dlqUrl: string;
  dlqArn: string;
  sourceUrl: string;
}

export type RedriveOutcome =
  | { channel: 'workflow' | 'step'; method: 'move-task'; taskHandle: string; status?: string; moved?: number; toMove?: number; failureReason?: string }
  | { channel: 'workflow' | 'step'; method: 'loop'; moved: DeadLetter[]; left: number; undecodable: number; fallbackReason?: string };

export async function startMoveTask(sqs: SQSClient, queue: DlqQueue, ratePerSecond?: number): Promise<string> {
  const out = await sqs.send(
    new StartMessageMoveTaskCommand({ SourceArn: queue.dlqArn, ...(ratePerSecond ? { MaxNumberOfMessagesPerSecond: ratePerSecond } : {}) }),
  );
  if (!out.TaskHandle) throw new Error(`StartMessageMoveTask returned no task handle for ${queue.dlqName}`);
  return out.TaskHandle;
}

/** The most recent move task of a DLQ (ListMessageMoveTasks returns the newest first; default 1). */
export async function latestMoveTask(sqs: SQSClient, dlqArn: string) {
  const out = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 1 }));
  return out.Results?.[0];
}

export async function redriveLoop(
  sqs: SQSClient,
  queue: DlqQueue,
  filter: { runIds?: ReadonlySet<string> },
  max: number,
): Promise<{ moved: DeadLetter[]; left: number; undecodable: number }> {
  const received = await receiveAll(sqs, queue.dlqUrl, queue.dlqName, max);
  const keep: Message[] = [];
  const moved: DeadLetter[] = [];
  let undecodable = 0;
  try {
    for (const { message, letter } of received) {
      if (letter.undecodable !== undefined) undecodable++;
      const wanted = letter.undecodable === undefined && (!filter.runIds || (letter.runId !== undefined && filter.runIds.has(letter.runId)));
      if (!wanted) {
        keep.push(message);
        continue;
      }
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.sourceUrl,
          MessageBody: message.Body ?? '',
          ...(message.MessageAttributes ? { MessageAttributes: sendable(message.MessageAttributes) } : {}),
        }),
      );
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.dlqUrl, ReceiptHandle: message.ReceiptHandle }));
      moved.push(letter);
    }
  } finally {
    await release(sqs, queue.dlqUrl, keep);
  }
  return { moved, left: keep.length - undecodable, undecodable };
}

/** Received attributes carry list fields SendMessage rejects when empty. */
function sendable(attributes: Record<string, MessageAttributeValue>): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, v]) => [
      name,
      { DataType: v.DataType, ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}), ...(v.BinaryValue !== undefined ? { BinaryValue: v.BinaryValue } : {}) },
    ]),
  );
}
