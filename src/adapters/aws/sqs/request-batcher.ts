// Turns single calls into batch requests, invisibly to callers: an entry
// joins the batch being collected and is flushed on the next turn of the event
// loop, unless `maxInFlight` batch requests are already out, in which case it
// waits for one of them (at most one round trip). A batch holds at most
// `maxEntries` entries and `maxBytes` of payload. Each caller gets its own
// entry's result: a partial failure rejects only the entries that failed.

export type EntryResult<R> = { ok: true; value: R } | { ok: false; error: Error };

export interface RequestBatcherOptions<E, R> {
  maxEntries: number;
  /** Sum of `sizeOf` over a batch; an entry larger than this goes alone. */
  maxBytes: number;
  sizeOf: (entry: E) => number;
  maxInFlight: number;
  /** Sends one batch; resolves one result per entry, in order. Rejects when the whole request failed. */
  run: (entries: E[]) => Promise<EntryResult<R>[]>;
}

interface Pending<E, R> {
  entry: E;
  size: number;
  resolve: (value: R) => void;
  reject: (error: Error) => void;
}

export class RequestBatcher<E, R> {
  private queue: Pending<E, R>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly options: RequestBatcherOptions<E, R>) {}

  add(entry: E): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ entry, size: this.options.sizeOf(entry), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) void this.flush(this.take());
    });
  }

  private take(): Pending<E, R>[] {
    const batch: Pending<E, R>[] = [];
    let bytes = 0;
    while (this.queue.length > 0 && batch.length < this.options.maxEntries) {
      const next = this.queue[0]!;
      if (batch.length > 0 && bytes + next.size > this.options.maxBytes) break;
      batch.push(this.queue.shift()!);
      bytes += next.size;
    }
    return batch;
  }

  private async flush(batch: Pending<E, R>[]): Promise<void> {
    this.inFlight++;
    try {
      const results = await this.options.run(batch.map((p) => p.entry));
      batch.forEach((pending, i) => {
        const result = results[i];
        if (!result) pending.reject(new Error('the batch response did not report this entry'));
        else if (result.ok) pending.resolve(result.value);
        else pending.reject(result.error);
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error as Error);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}
