// A queue of opaque messages with delayed delivery and visibility leases:
// the shape of SQS, reduced to what the world needs.

/** The two physical queues; logical queue names travel inside the message. */
export type QueueChannel = 'workflow' | 'step';

export interface OutgoingMessage {
  /** Text (SQS bodies are text); the queue application owns the envelope format. */
  body: string;
  /** 0..maxDelaySeconds (900 on SQS); longer delays are chained by the caller. */
  delaySeconds: number;
  /** Small string attributes, delivered with the message. */
  attributes?: Record<string, string>;
}

export interface ReceivedMessage {
  /** Transport id, stable across redeliveries. */
  messageId: string;
  /** Opaque handle for ack and visibility changes of this delivery. */
  receipt: string;
  body: string;
  attributes: Record<string, string>;
  /** 1-based: how many times this message has been received. */
  receiveCount: number;
}

export interface MessageQueue {
  readonly maxDelaySeconds: number;
  /** Largest body (UTF-8 bytes, attributes included) the transport accepts. */
  readonly maxMessageBytes: number;
  send(channel: QueueChannel, message: OutgoingMessage): Promise<{ messageId: string }>;
  /** Long-polls up to `waitSeconds`; resolves early on `signal` abort with what it has. */
  receive(
    channel: QueueChannel,
    options: { maxMessages: number; waitSeconds: number; visibilitySeconds: number; signal?: AbortSignal },
  ): Promise<ReceivedMessage[]>;
  /** Acknowledge: the message is done and will not be delivered again. */
  ack(channel: QueueChannel, receipt: string): Promise<void>;
  /** Hide the message for `seconds` more (0 = redeliver now). Used for backoff and long handlers. */
  setVisibility(channel: QueueChannel, receipt: string, seconds: number): Promise<void>;
  /**
   * The channel whose physical queue is called `queueName`, or undefined if
   * neither is: for messages a transport hands over itself (a Lambda
   * event-source mapping names each record's queue). Optional, so a wrapping
   * override need not forward it; without it those messages' leases are not managed.
   */
  channelNamed?(queueName: string): QueueChannel | undefined;
}
