// What a process may keep of a run's event log: a prefix of it. Events never
// change and a run's log has dense sequence numbers (its n-th event is at n,
// appended only at the next free number), so a prefix read once stays true and
// only what follows it must be read again. Bounded: least recently used runs
// go first, by count and by bytes, and a run whose prefix alone would pass the
// per-run bound is not kept. A prefix whose items expire (TTL) is dropped when
// the first of them does, so no expired event outlives its item here.
import type { Event } from '@workflow/world';
import { dynamoDbSize } from './payload-routing.js';

export interface RunLogPrefix {
  /** `events[i]` is the run's event at sequence number i + 1. */
  readonly events: readonly Event[];
  /** The run's version after the last event held. */
  readonly version: number;
}

export interface RunLogCacheOptions {
  /** Runs held at once. */
  maxRuns?: number;
  /** Bytes held across all runs (payloads as stored, plus a fixed overhead per event). */
  maxTotalBytes?: number;
  /** A run's prefix larger than this is not held. */
  maxRunBytes?: number;
}

/** Events appended after a prefix: they start at `firstSeq` and leave the run at `version`. */
export interface LogExtension {
  firstSeq: number;
  events: readonly Event[];
  version: number;
  /** Earliest TTL (epoch seconds) among the items the events came from, if any. */
  expiresAt?: number;
}

interface Entry {
  events: Event[];
  version: number;
  bytes: number;
  expiresAt?: number;
}

/** What an event costs beyond its payloads: ids, type, dates. */
export const EVENT_OVERHEAD_BYTES = 256;

export function eventBytes(event: Event): number {
  return EVENT_OVERHEAD_BYTES + dynamoDbSize((event as { eventData?: unknown }).eventData ?? null);
}

export class RunLogCache {
  private readonly runs = new Map<string, Entry>();
  private readonly maxRuns: number;
  private readonly maxTotalBytes: number;
  private readonly maxRunBytes: number;
  private totalBytes = 0;

  constructor(
    private readonly now: () => number,
    options: RunLogCacheOptions = {},
  ) {
    this.maxRuns = options.maxRuns ?? 1000;
    this.maxTotalBytes = options.maxTotalBytes ?? 16 * 1024 * 1024;
    this.maxRunBytes = Math.min(options.maxRunBytes ?? 4 * 1024 * 1024, this.maxTotalBytes);
  }

  /** The run's held prefix, if any (and it becomes the most recently used). */
  get(runId: string): RunLogPrefix | undefined {
    const entry = this.runs.get(runId);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && this.now() >= entry.expiresAt * 1000) {
      this.forget(runId);
      return undefined;
    }
    this.runs.delete(runId);
    this.runs.set(runId, entry);
    return entry;
  }

  /** Sequence number of the last event held for the run (0: none). */
  heldThrough(runId: string): number {
    return this.runs.get(runId)?.events.length ?? 0;
  }

  /**
   * Extends the run's prefix. Events the prefix already holds are skipped
   * (they are the same events); an extension that would leave a gap is
   * ignored, since the prefix must stay contiguous.
   */
  extend(runId: string, extension: LogExtension): void {
    const entry = this.runs.get(runId) ?? { events: [], version: 0, bytes: 0 };
    const held = entry.events.length;
    const lastSeq = extension.firstSeq + extension.events.length - 1;
    if (extension.firstSeq > held + 1 || lastSeq <= held) return;
    const added = extension.events.slice(held + 1 - extension.firstSeq);
    const bytes = added.reduce((sum, event) => sum + eventBytes(event), 0);
    if (entry.bytes + bytes > this.maxRunBytes) {
      this.forget(runId);
      return;
    }
    entry.events.push(...added);
    entry.version = extension.version;
    entry.bytes += bytes;
    if (extension.expiresAt !== undefined) entry.expiresAt = Math.min(entry.expiresAt ?? Infinity, extension.expiresAt);
    if (this.runs.get(runId) === entry) this.runs.delete(runId);
    this.runs.set(runId, entry);
    this.totalBytes += bytes;
    this.evict(runId);
  }

  forget(runId: string): void {
    const entry = this.runs.get(runId);
    if (!entry) return;
    this.runs.delete(runId);
    this.totalBytes -= entry.bytes;
  }

  /** Runs and bytes held (for tests and diagnostics). */
  size(): { runs: number; bytes: number } {
    return { runs: this.runs.size, bytes: this.totalBytes };
  }

  /** Least recently used first; never the run just extended. */
  private evict(keep: string): void {
    for (const runId of this.runs.keys()) {
      if (this.runs.size <= this.maxRuns && this.totalBytes <= this.maxTotalBytes) return;
      if (runId !== keep) this.forget(runId);
    }
  }
}
