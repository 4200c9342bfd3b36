// A MessageQueue wrapper that sends every message `copies` times, as an
// at-least-once queue may deliver it: for tests of exactly-once effects.
// Enabled in a world by WORKFLOW_AWS_TEST_DUPLICATE_DELIVERIES=<copies>.
import type { MessageQueue, OutgoingMessage, QueueChannel, ReceivedMessage } from '../../ports/message-queue.js';

export class DuplicatingMessageQueue implements MessageQueue {
  constructor(
    private readonly inner: MessageQueue,
    private readonly copies: number,
  ) {
    if (!Number.isInteger(copies) || copies < 1) throw new RangeError(`copies must be a positive integer; got ${copies}`);
  }

  get maxDelaySeconds(): number {
    return this.inner.maxDelaySeconds;
  }

  get maxMessageBytes(): number {
    return this.inner.maxMessageBytes;
  }

  async send(channel: QueueChannel, message: OutgoingMessage): Promise<{ messageId: string }> {
    const sent = await Promise.all(Array.from({ length: this.copies }, () => this.inner.send(channel, message)));
    return sent[0]!;
  }

  receive(
    channel: QueueChannel,
    options: { maxMessages: number; waitSeconds: number; visibilitySeconds: number; signal?: AbortSignal },
  ): Promise<ReceivedMessage[]> {
    return this.inner.receive(channel, options);
  }

  ack(channel: QueueChannel, receipt: string): Promise<void> {
    return this.inner.ack(channel, receipt);
  }

  setVisibility(channel: QueueChannel, receipt: string, seconds: number): Promise<void> {
    return this.inner.setVisibility(channel, receipt, seconds);
  }
}
