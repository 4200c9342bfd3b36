// In-process wake-ups: a write through this streamer wakes its own readers of
// the same stream at once instead of at their next poll. Polling stays the
// source of truth across processes; a wake-up only means "poll now".
export class StreamNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Calls `wake` on the next notify(name); returns an unsubscribe function. */
  subscribe(name: string, wake: () => void): () => void {
    let set = this.waiters.get(name);
    if (!set) {
      set = new Set();
      this.waiters.set(name, set);
    }
    set.add(wake);
    return () => {
      const current = this.waiters.get(name);
      if (!current) return;
      current.delete(wake);
      if (current.size === 0) this.waiters.delete(name);
    };
  }

  notify(name: string): void {
    const set = this.waiters.get(name);
    if (!set) return;
    for (const wake of [...set]) wake();
  }
}
