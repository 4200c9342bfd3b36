// Keeps a stream's appends and its close in call order within this process.
// The store allocates indexes when a request arrives, so two un-awaited
// writes could otherwise land out of order; the contract numbers chunks in
// call order. A failed task does not block the ones queued behind it.
export class WriteQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every earlier task for `name` has settled. Its place is taken synchronously. */
  run<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    const result = previous.then(task, task);
    const settled = result.catch(() => undefined);
    this.tails.set(name, settled);
    void settled.then(() => {
      if (this.tails.get(name) === settled) this.tails.delete(name);
    });
    return result;
  }
}
