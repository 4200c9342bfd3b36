// Queue URLs are either configured or looked up by name once, on first use, so
// building a world never makes a network call.
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Where a channel's messages go: a known URL, or a queue name to resolve with GetQueueUrl. */
export type QueueTarget = { url: string } | { name: string };

export class QueueUrlResolver {
  private resolved: Promise<string> | undefined;

  constructor(
    private readonly client: SQSClient,
    private readonly target: QueueTarget,
  ) {}

  /** The queue URL; concurrent first callers share one lookup, and a failed lookup is retried next time. */
  url(): Promise<string> {
    if ('url' in this.target) return Promise.resolve(this.target.url);
    if (!this.resolved) {
      const name = this.target.name;
      this.resolved = this.client.send(new GetQueueUrlCommand({ QueueName: name })).then((out) => {
        if (!out.QueueUrl) throw new Error(`GetQueueUrl returned no URL for queue ${name}`);
        return out.QueueUrl;
      });
      this.resolved.catch(() => {
        this.resolved = undefined;
      });
    }
    return this.resolved;
  }
}
