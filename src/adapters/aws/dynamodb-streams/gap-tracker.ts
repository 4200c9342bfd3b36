// Remembers, per stream, the first reserved-but-unwritten index a reader has
// run into and since when, so a writer that died between reserving and
// writing holds readers up for a bounded time only.

/** Streams tracked at once; the oldest entry is dropped beyond this. */
const MAX_TRACKED = 10_000;

export class GapTracker {
  private readonly gaps = new Map<string, { index: number; since: number }>();

  /**
   * How long the gap at `index` has been known: since this process first saw
   * it, or since the stream's newest reservation (the gap's own reservation
   * is at least that old), whichever is longer.
   */
  age(name: string, index: number, now: number, reservedAt: number | undefined): number {
    let entry = this.gaps.get(name);
    if (!entry || entry.index !== index) {
      entry = { index, since: now };
      this.gaps.delete(name);
      this.gaps.set(name, entry);
      if (this.gaps.size > MAX_TRACKED) this.gaps.delete(this.gaps.keys().next().value!);
    }
    return Math.max(now - entry.since, reservedAt === undefined ? 0 : now - reservedAt);
  }

  clear(name: string): void {
    this.gaps.delete(name);
  }
}
