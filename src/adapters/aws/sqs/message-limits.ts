// SQS's own limits on messages and leases, checked before a request leaves the
// process so callers get a precise error instead of a generic service fault.
// Pure functions: the in-memory queue applies the same rules.
import { WorkflowWorldError } from '@workflow/errors';
import type { OutgoingMessage } from '../../../ports/message-queue.js';

/** SQS's hard ceiling on DelaySeconds. */
export const SQS_MAX_DELAY_SECONDS = 900;
/** SQS returns at most this many messages per ReceiveMessage. */
export const SQS_MAX_RECEIVE_BATCH = 10;
/** Longest long poll SQS allows. */
export const SQS_MAX_WAIT_SECONDS = 20;
/** Longest visibility timeout SQS allows (12 hours). */
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;
/** Data type SQS records for string attributes; it counts towards the message size. */
export const STRING_ATTRIBUTE_TYPE = 'String';

const utf8 = new TextEncoder();

/**
 * Size as SQS counts it: the body plus, for each attribute, its name, data
 * type and value, all in UTF-8 bytes.
 */
export function messageSize(message: Pick<OutgoingMessage, 'body' | 'attributes'>): number {
  let size = utf8.encode(message.body).byteLength;
  for (const [name, value] of Object.entries(message.attributes ?? {})) {
    size += utf8.encode(name).byteLength + STRING_ATTRIBUTE_TYPE.length + utf8.encode(value).byteLength;
  }
  return size;
}

/** Rejects what SQS would reject: a delay outside 0..maxDelaySeconds or an oversize message. */
export function assertSendable(message: OutgoingMessage, limits: { maxDelaySeconds: number; maxMessageBytes: number }): void {
  const { delaySeconds } = message;
  if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > limits.maxDelaySeconds) {
    throw new WorkflowWorldError(`Queue delay must be an integer from 0 to ${limits.maxDelaySeconds} seconds; got ${delaySeconds}`, {
      status: 400,
      code: 'INVALID_QUEUE_DELAY',
    });
  }
  const size = messageSize(message);
  if (size > limits.maxMessageBytes) {
    // The caller is expected to move large bodies to the blob store first.
    throw new WorkflowWorldError(`Queue message is ${size} bytes (body and attributes); the limit is ${limits.maxMessageBytes}`, {
      status: 413,
      code: 'QUEUE_MESSAGE_TOO_LARGE',
    });
  }
}

/** Validates an integer number of seconds within [min, max] for a named queue parameter. */
export function assertSeconds(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new WorkflowWorldError(`${name} must be an integer from ${min} to ${max}; got ${value}`, { status: 400, code: 'INVALID_QUEUE_PARAMETER' });
  }
}

/** A receive's options checked against SQS's limits, by every MessageQueue adapter alike; returns the batch size. */
export function checkReceive(options: { maxMessages: number; waitSeconds: number; visibilitySeconds: number }): number {
  const batch = receiveBatchSize(options.maxMessages);
  assertSeconds('waitSeconds', options.waitSeconds, 0, SQS_MAX_WAIT_SECONDS);
  assertSeconds('visibilitySeconds', options.visibilitySeconds, 0, SQS_MAX_VISIBILITY_SECONDS);
  return batch;
}

/** SQS accepts 1..10 messages per receive; larger requests are served 10 at a time. */
export function receiveBatchSize(maxMessages: number): number {
  if (!Number.isInteger(maxMessages) || maxMessages < 1) {
    throw new WorkflowWorldError(`maxMessages must be a positive integer; got ${maxMessages}`, { status: 400, code: 'INVALID_QUEUE_PARAMETER' });
  }
  return Math.min(maxMessages, SQS_MAX_RECEIVE_BATCH);
}
