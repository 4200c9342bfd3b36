// Reading a DLQ without consuming it: receive every message (long polls until
// one comes back empty), then make them all visible again. What each message
// belongs to comes from its envelope (run, step, logical queue); never its payload.
import {
  ChangeMessageVisibilityBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { channelOf, decodeEnvelope, hasPayloadRef, payloadIds } from '../../application/queue/envelope.js';

export interface DeadLetter {
  messageId: string;
  /** The DLQ it sits in, and the work queue it came from. */
  dlq: string;
  channel?: 'workflow' | 'step';
  /** The runtime's logical queue (`__wkf_step_…`), from the envelope. */
  queueName?: string;
  runId?: string;
  stepId?: string;
  envelopeId?: string;
  deploymentId?: string;
  /** Deliveries so far, DLQ receives included (SQS's ApproximateReceiveCount). */
  receiveCount: number;
  sentAt?: string;
  bodyBytes: number;
  /** Inline, or offloaded to S3 (then the run id is not readable from the message). */
  payload: 'inline' | { s3Key: string; bytes: number };
  /** Why the envelope could not be read, when it could not. */
  undecodable?: string;
  /** The run's or step's last recorded error, when the world has one. */
  lastError?: string;
}

export interface Received {
  letter: DeadLetter;
  message: Message;
}

/** Hidden while we read; released (visibility 0) as soon as the caller is done. */
const PEEK_VISIBILITY_SECONDS = 60;

export async function receiveAll(sqs: SQSClient, dlqUrl: string, dlqName: string, max: number): Promise<Received[]> {
  const seen = new Map<string, Received>();
  while (seen.size < max) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: Math.min(10, max - seen.size),
        // A long poll asks every SQS server, so an empty answer means the queue is (nearly) drained.
        WaitTimeSeconds: 1,
        VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    for (const message of messages) {
      if (message.MessageId && !seen.has(message.MessageId)) seen.set(message.MessageId, { message, letter: describe(message, dlqName) });
    }
  }
  return [...seen.values()];
}

/** Makes messages visible again right away (ChangeMessageVisibilityBatch, 10 per call). */
export async function release(sqs: SQSClient, dlqUrl: string, messages: Message[]): Promise<void> {
  const handles = messages.filter((m) => m.ReceiptHandle);
  for (let i = 0; i < handles.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: dlqUrl,
        Entries: handles.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })),
      }),
    );
  }
}

export function describe(message: Message, dlq: string): DeadLetter {
  const body = message.Body ?? '';
  const base: DeadLetter = {
    messageId: message.MessageId ?? '?',
    dlq,
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    ...(message.Attributes?.SentTimestamp ? { sentAt: new Date(Number(message.Attributes.SentTimestamp)).toISOString() } : {}),
    bodyBytes: Buffer.byteLength(body),
    payload: 'inline',
  };
  try {
    const envelope = decodeEnvelope(body);
    const ids = hasPayloadRef(envelope) ? {} : payloadIds(envelope.payload);
    return {
      ...base,
      channel: channelOf(envelope.queueName),
      queueName: envelope.queueName,
      ...(ids.runId ? { runId: ids.runId } : {}),
      ...(ids.stepId ? { stepId: ids.stepId } : {}),
      envelopeId: envelope.id,
      deploymentId: envelope.deploymentId,
      payload: hasPayloadRef(envelope) ? { s3Key: envelope.payloadRef.key, bytes: envelope.payloadRef.byteLength } : 'inline',
    };
  } catch (error) {
    return { ...base, undecodable: (error as Error).message };
  }
}
