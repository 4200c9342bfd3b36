// Where this process last saw each stream it writes end, so the common
// append is one request at that index. Only a hint: a write at a stale index
// fails its condition, and the writer then looks the end up again.
import type { StreamEnd } from './stream-items.js';

/** Streams remembered at once; the least recently written is dropped beyond this. */
const MAX_TRACKED = 10_000;

export class EndCache {
  private readonly ends = new Map<string, StreamEnd>();

  get(name: string): StreamEnd | undefined {
    return this.ends.get(name);
  }

  set(name: string, end: StreamEnd): void {
    this.ends.delete(name);
    this.ends.set(name, end);
    if (this.ends.size > MAX_TRACKED) this.ends.delete(this.ends.keys().next().value!);
  }
}
