// A long poll whose client has gone (a process that stopped, or aborted its
// poll on close) still takes the next message in fauxqs: it answers the dead
// connection and the message stays hidden for its visibility timeout, so a
// restarted app waited that long, per queue, for its first run. Messages a
// ReceiveMessage hands to a client that is no longer there are made visible
// again at once.

/** The parts of fauxqs's Fastify app and request used here (fastify is fauxqs's dependency, not ours). */
interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  raw: { socket?: { destroyed: boolean } | null };
}
interface AppLike {
  addHook(name: 'onSend', hook: (request: RequestLike, reply: unknown, payload: unknown, done: () => void) => void): unknown;
}

interface QueueLike {
  changeVisibility(receiptHandle: string, timeoutSeconds: number): void;
}
export interface SqsStoreWithQueues {
  getQueue(url: string): QueueLike | undefined;
}

const RECEIVE_TARGET = 'AmazonSQS.ReceiveMessage';

export function handBackMessagesOfGoneReceivers(app: AppLike, store: SqsStoreWithQueues): void {
  app.addHook('onSend', (request, _reply, payload, done) => {
    if (request.headers['x-amz-target'] === RECEIVE_TARGET && clientGone(request)) handBack(store, request, payload);
    done();
  });
}

/** The connection is closed. (Not `raw.destroyed`: a request stream is destroyed once its body is read.) */
function clientGone(request: RequestLike): boolean {
  return !request.raw.socket || request.raw.socket.destroyed;
}

function handBack(store: SqsStoreWithQueues, request: RequestLike, payload: unknown): void {
  try {
    const queueUrl = (request.body as { QueueUrl?: unknown } | undefined)?.QueueUrl;
    const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    if (typeof queueUrl !== 'string' || !text) return;
    const queue = store.getQueue(queueUrl);
    const messages = (JSON.parse(text) as { Messages?: { ReceiptHandle?: string }[] }).Messages ?? [];
    for (const message of messages) if (message.ReceiptHandle) queue?.changeVisibility(message.ReceiptHandle, 0);
  } catch {
    // Not a JSON answer (query protocol): the messages come back after their visibility timeout.
  }
}
