// An in-memory model of two SQS standard queues with redrive to a dead-letter
// list: delays, visibility leases, receive counts and long polling, all timed
// by the injected Clock. One instance may be shared by several worlds in a
// process; every state change happens synchronously, so a message is never
// handed to two receivers at once.
import { randomUUID } from 'node:crypto';
import { WorkflowWorldError } from '@workflow/errors';
import type { Clock } from '../../ports/clock.js';
import type { MessageQueue, OutgoingMessage, QueueChannel, ReceivedMessage } from '../../ports/message-queue.js';
import { QUEUES } from '../aws/resources.js';
import {
  SQS_MAX_DELAY_SECONDS,
  SQS_MAX_VISIBILITY_SECONDS,
  assertSeconds,
  assertSendable,
  checkReceive,
} from '../aws/sqs/message-limits.js';
import { SQS_DEFAULT_MESSAGE_BYTES } from '../../domain/payload-routing.js';

export interface MemoryMessageQueueOptions {
  /** Default 900, as on SQS. */
  maxDelaySeconds?: number;
  /** Default 256 KiB, SQS's default limit. */
  maxMessageBytes?: number;
  /** Receives before a message moves to the dead-letter list; default QUEUES.maxReceiveCount. */
  maxReceiveCount?: number;
  /** The physical queue names the channels stand in for (channelNamed); default: none. */
  queueNames?: Record<QueueChannel, string>;
}

/** A message that was received maxReceiveCount times without being acked. */
export interface DeadLetter {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  receiveCount: number;
}

interface StoredMessage {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  receiveCount: number;
  /** Epoch ms from which the message can be received (delay or visibility lease). */
  visibleAt: number;
  /** Receipt of the latest delivery; older receipts no longer act on the message. */
  receipt?: string;
}

class Channel {
  /** Unacked messages in send order (a standard queue's best-effort order). */
  readonly messages = new Map<string, StoredMessage>();
  readonly byReceipt = new Map<string, StoredMessage>();
  readonly deadLetters: DeadLetter[] = [];
  readonly waiters = new Set<() => void>();

  wakeWaiters(): void {
    for (const wake of this.waiters) wake();
  }
}

export class MemoryMessageQueue implements MessageQueue {
  readonly maxDelaySeconds: number;
  readonly maxMessageBytes: number;
  private readonly maxReceiveCount: number;
  private readonly queueNames: Record<QueueChannel, string> | undefined;
  private readonly channels: Record<QueueChannel, Channel> = { workflow: new Channel(), step: new Channel() };

  constructor(
    private readonly clock: Clock,
    options: MemoryMessageQueueOptions = {},
  ) {
    this.maxDelaySeconds = options.maxDelaySeconds ?? SQS_MAX_DELAY_SECONDS;
    this.maxMessageBytes = options.maxMessageBytes ?? SQS_DEFAULT_MESSAGE_BYTES;
    this.maxReceiveCount = options.maxReceiveCount ?? QUEUES.maxReceiveCount;
    this.queueNames = options.queueNames;
    assertSeconds('maxDelaySeconds', this.maxDelaySeconds, 0, SQS_MAX_DELAY_SECONDS);
    if (!Number.isInteger(this.maxReceiveCount) || this.maxReceiveCount < 1) {
      throw new RangeError(`maxReceiveCount must be a positive integer; got ${this.maxReceiveCount}`);
    }
  }

  async send(channel: QueueChannel, message: OutgoingMessage): Promise<{ messageId: string }> {
    assertSendable(message, this);
    const queue = this.channels[channel];
    const messageId = randomUUID();
    queue.messages.set(messageId, {
      messageId,
      body: message.body,
      attributes: { ...message.attributes },
      receiveCount: 0,
      visibleAt: this.clock.now() + message.delaySeconds * 1000,
    });
    queue.wakeWaiters();
    return { messageId };
  }

  async receive(
    channel: QueueChannel,
    options: { maxMessages: number; waitSeconds: number; visibilitySeconds: number; signal?: AbortSignal },
  ): Promise<ReceivedMessage[]> {
    const max = checkReceive(options);
    const queue = this.channels[channel];
    const deadline = this.clock.now() + options.waitSeconds * 1000;
    for (;;) {
      if (options.signal?.aborted) return [];
      const taken = this.take(queue, max, options.visibilitySeconds);
      if (taken.length > 0) return taken;
      const now = this.clock.now();
      if (now >= deadline) return [];
      // Sleep until the deadline or the next delayed/leased message is due; a send,
      // a visibility change or the caller's abort wakes the poll earlier.
      await this.waitForChange(queue, Math.min(deadline, this.nextVisibleAt(queue) ?? deadline) - now, options.signal);
    }
  }

  async ack(channel: QueueChannel, receipt: string): Promise<void> {
    const queue = this.channels[channel];
    const message = queue.byReceipt.get(receipt);
    // A stale receipt (the message was received again since) or a repeated ack changes nothing.
    if (!message) return;
    queue.byReceipt.delete(receipt);
    queue.messages.delete(message.messageId);
  }

  async setVisibility(channel: QueueChannel, receipt: string, seconds: number): Promise<void> {
    assertSeconds('visibilitySeconds', seconds, 0, SQS_MAX_VISIBILITY_SECONDS);
    const queue = this.channels[channel];
    const message = queue.byReceipt.get(receipt);
    const now = this.clock.now();
    // As on SQS, only a message still leased to this receipt can have its lease changed.
    if (!message || message.visibleAt <= now) {
      throw new WorkflowWorldError('Message is not in flight for this receipt (acked, lease expired or received again)', {
        status: 400,
        code: 'MESSAGE_NOT_IN_FLIGHT',
      });
    }
    message.visibleAt = now + seconds * 1000;
    queue.wakeWaiters();
  }

  channelNamed(queueName: string): QueueChannel | undefined {
    if (this.queueNames?.workflow === queueName) return 'workflow';
    if (this.queueNames?.step === queueName) return 'step';
    return undefined;
  }

  /** Messages moved off `channel` after maxReceiveCount receives, oldest first (copies). */
  deadLetters(channel: QueueChannel): DeadLetter[] {
    return this.channels[channel].deadLetters.map((d) => ({ ...d, attributes: { ...d.attributes } }));
  }

  /** Messages on `channel` not yet acked or dead-lettered: visible, delayed or in flight. */
  messageCount(channel: QueueChannel): number {
    return this.channels[channel].messages.size;
  }

  private take(queue: Channel, max: number, visibilitySeconds: number): ReceivedMessage[] {
    const now = this.clock.now();
    const out: ReceivedMessage[] = [];
    for (const message of queue.messages.values()) {
      if (out.length >= max) break;
      if (message.visibleAt > now) continue;
      if (message.receipt) queue.byReceipt.delete(message.receipt);
      if (message.receiveCount >= this.maxReceiveCount) {
        // Redrive: SQS moves the message instead of delivering it a further time.
        queue.messages.delete(message.messageId);
        const { messageId, body, attributes, receiveCount } = message;
        queue.deadLetters.push({ messageId, body, attributes, receiveCount });
        continue;
      }
      message.receiveCount += 1;
      message.receipt = randomUUID();
      message.visibleAt = now + visibilitySeconds * 1000;
      queue.byReceipt.set(message.receipt, message);
      out.push({
        messageId: message.messageId,
        receipt: message.receipt,
        body: message.body,
        attributes: { ...message.attributes },
        receiveCount: message.receiveCount,
      });
    }
    return out;
  }

  private nextVisibleAt(queue: Channel): number | undefined {
    let next: number | undefined;
    for (const m of queue.messages.values()) if (next === undefined || m.visibleAt < next) next = m.visibleAt;
    return next;
  }

  private async waitForChange(queue: Channel, ms: number, signal?: AbortSignal): Promise<void> {
    const wake = new AbortController();
    const onWake = () => wake.abort();
    queue.waiters.add(onWake);
    signal?.addEventListener('abort', onWake, { once: true });
    try {
      await this.clock.sleep(ms, wake.signal);
    } catch {
      // Woken early: the caller's loop re-checks the queue and the signal.
    } finally {
      queue.waiters.delete(onWake);
      signal?.removeEventListener('abort', onWake);
    }
  }
}
