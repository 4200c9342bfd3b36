// Per process: which commits still need their projections written, and how
// far the projections of each run are known to be written (`projected`, the
// `p` stamped on the next commit). Projections are written shortly after
// their commits (write-behind), coalesced per run, so a step's
// created/started/completed usually cost one step write instead of three.
// Nothing depends on when this happens: readers bring projections up to date
// from the log tail, and a crash only leaves them late. `projected` only
// advances over a gap-free range; a gap (commits this process did not write
// or see) is repaired by reading those commits back and writing their
// projections too, so alternating writers cannot leave the tail growing.
import type { Logger } from '../../../ports/logger.js';
import type { CommitRecord } from './commit-record.js';
import { coalesce, type ProjectionBatch } from './projection-writes.js';
import type { RunTail } from './run-tail.js';

export interface ProjectionWriter {
  write(batch: ProjectionBatch): Promise<void>;
  readCommits(runId: string, from: number, to: number): Promise<CommitRecord[]>;
}

export interface ProjectionLogOptions {
  /** Quiet time after a run's last commit before its projections are written (ms). */
  delayMs?: number;
  /** Longest a commit waits for its projections to be written (ms). */
  maxWaitMs?: number;
  /** Write at once when this many commits of one run are waiting. */
  maxPending?: number;
  /** A reader adopts tail commits older than this: their writer has probably died (ms). */
  staleAfterMs?: number;
  /** Runs tracked at once (least recently used are written and dropped). */
  maxRuns?: number;
  now?: () => number;
  logger?: Logger;
}

/** Failed attempts in a row before a run's waiting projections are left to readers. */
const MAX_FAILURES = 6;

interface RunState {
  projected: number;
  pending: Map<number, CommitRecord>;
  /** Commits above `projected` whose projections this process wrote: first seq → last seq. */
  written: Map<number, number>;
  timer?: ReturnType<typeof setTimeout>;
  /** When the oldest waiting commit arrived. */
  waitingSince?: number;
  flushing?: Promise<void>;
  writer?: ProjectionWriter;
  failures: number;
}

export class ProjectionLog {
  private readonly runs = new Map<string, RunState>();
  private readonly delayMs: number;
  private readonly maxWaitMs: number;
  private readonly maxPending: number;
  private readonly staleAfterMs: number;
  private readonly maxRuns: number;
  private readonly now: () => number;

  constructor(private readonly options: ProjectionLogOptions = {}) {
    this.delayMs = options.delayMs ?? 1000;
    this.maxWaitMs = options.maxWaitMs ?? 1000;
    this.maxPending = options.maxPending ?? 32;
    this.staleAfterMs = options.staleAfterMs ?? 5000;
    this.maxRuns = options.maxRuns ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** How far `runId`'s projections are known written, if this process knows. */
  projected(runId: string): number | undefined {
    return this.runs.get(runId)?.projected;
  }

  /** A commit this process made: its projections are written soon. */
  committed(runId: string, record: CommitRecord, writer: ProjectionWriter): void {
    const state = this.state(runId, record.projected);
    state.pending.set(record.seq, record);
    this.schedule(runId, state, writer);
  }

  /** A tail this process read: learn how far projections are, and take over commits whose writer seems gone. */
  observed(runId: string, tail: RunTail, writer: ProjectionWriter): void {
    if (!tail.head) return;
    const state = this.state(runId, tail.projected);
    this.raise(state, tail.projected);
    const staleBefore = this.now() - this.staleAfterMs;
    let adopted = false;
    for (const commit of tail.commits) {
      if (commit.head.lastEventAt > staleBefore || state.pending.has(commit.seq) || state.written.has(commit.firstSeq)) continue;
      state.pending.set(commit.seq, commit);
      adopted = true;
    }
    if (adopted) this.schedule(runId, state, writer);
  }

  /** Writes everything waiting now (tests, shutdown). */
  async flushAll(): Promise<void> {
    await Promise.all([...this.runs.keys()].map((runId) => this.flush(runId)));
  }

  private state(runId: string, projected: number): RunState {
    let state = this.runs.get(runId);
    if (state) {
      this.runs.delete(runId);
    } else {
      state = { projected, pending: new Map(), written: new Map(), failures: 0 };
    }
    this.runs.set(runId, state);
    while (this.runs.size > this.maxRuns) {
      const oldest = this.runs.keys().next().value!;
      const evicted = this.runs.get(oldest)!;
      if (evicted.pending.size > 0 || evicted.flushing) {
        // Still writing: keep it, at the back (bounded by how many runs write at once).
        this.runs.delete(oldest);
        this.runs.set(oldest, evicted);
        break;
      }
      this.runs.delete(oldest);
    }
    return state;
  }

  private raise(state: RunState, projected: number): void {
    if (projected <= state.projected) return;
    state.projected = projected;
    for (const seq of state.pending.keys()) if (seq <= projected) state.pending.delete(seq);
    for (const first of state.written.keys()) if (first <= projected) state.written.delete(first);
  }

  private schedule(runId: string, state: RunState, writer: ProjectionWriter): void {
    state.writer = writer;
    if (state.pending.size >= this.maxPending) {
      if (state.timer) clearTimeout(state.timer);
      state.timer = undefined;
      void this.flush(runId);
      return;
    }
    // Debounced: each commit of the run pushes the write back, up to maxWaitMs after the first.
    const now = Date.now();
    state.waitingSince ??= now;
    if (state.timer) clearTimeout(state.timer);
    const delay =
      state.failures > 0 ? this.delayMs * 2 ** Math.min(state.failures, 6) : Math.max(0, Math.min(this.delayMs, state.waitingSince + this.maxWaitMs - now));
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.flush(runId);
    }, delay);
    // Late projections are harmless: never keep a process alive for them.
    state.timer.unref?.();
  }

  private async flush(runId: string): Promise<void> {
    const state = this.runs.get(runId);
    if (!state) return;
    if (state.flushing) {
      await state.flushing;
      if (state.pending.size > 0) await this.flush(runId);
      return;
    }
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
    state.waitingSince = undefined;
    const writer = state.writer;
    if (!writer || (state.pending.size === 0 && state.written.size === 0)) return;
    state.flushing = this.writeAndAdvance(runId, state, writer).finally(() => (state.flushing = undefined));
    await state.flushing;
  }

  private async writeAndAdvance(runId: string, state: RunState, writer: ProjectionWriter): Promise<void> {
    const records = [...state.pending.values()].sort((a, b) => a.seq - b.seq);
    state.pending.clear();
    try {
      if (records.length) await writer.write(coalesce(records));
      for (const record of records) state.written.set(record.firstSeq, record.seq);
      await this.advance(runId, state, writer);
      state.failures = 0;
    } catch (error) {
      state.failures++;
      const givingUp = state.failures > MAX_FAILURES;
      // Given up, the commits stay in the log: readers apply them, and adopt them once they are stale.
      if (!givingUp) for (const record of records) if (!state.written.has(record.firstSeq)) state.pending.set(record.seq, record);
      this.options.logger?.warn('dynamodb.projection.write_failed', {
        runId,
        commits: records.length,
        givingUp,
        error: (error as { code?: string }).code ?? (error as Error).name ?? 'Error',
      });
      if (givingUp) state.failures = 0;
      else this.schedule(runId, state, writer);
    }
  }

  /** Moves `projected` over written commits; repairs a gap below them. */
  private async advance(runId: string, state: RunState, writer: ProjectionWriter): Promise<void> {
    for (;;) {
      // Readers may have learnt meanwhile that others wrote past these.
      for (const first of [...state.written.keys()]) if (first <= state.projected) state.written.delete(first);
      const next = state.projected + 1;
      const end = state.written.get(next);
      if (end !== undefined) {
        state.written.delete(next);
        state.projected = end;
        continue;
      }
      if (state.written.size === 0) return;
      const gapEnd = Math.min(...state.written.keys()) - 1;
      const gap = await writer.readCommits(runId, next, gapEnd);
      if (gap.length === 0 || gap[0]!.firstSeq !== next) return; // not readable yet: try again later
      await writer.write(coalesce(gap));
      for (const record of gap) state.written.set(record.firstSeq, record.seq);
    }
  }
}
