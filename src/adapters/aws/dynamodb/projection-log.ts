// Per process: which commits still need their projections written, and how
// far the projections of each run are known to be written (`projected`, the
// `p` stamped on the next commit). Projections are written shortly after
// their commits (write-behind), coalesced per run, so a step's
// created/started/completed usually cost one step write instead of three.
//
// Why projections converge on the log: `projected` only advances over
// commits whose projections this process wrote (or found at that state or
// newer). Before writing its own commits, a flush reads the commits between
// `projected` and them that it did not make (a gap: another process's,
// maybe still in its write-behind, maybe lost with it) and coalesces them
// with its own, so an entity created there is written in its full state, not
// as a partial update with nothing to update. Readers apply the log tail
// after `projected` to the projections, so projections being late is never
// seen; they are only ever late, never missing an update below `projected`.
import { awsErrorName, isNetworkError } from '../aws-errors.js';
import { SystemClock } from '../../system/system-clock.js';
import type { Clock } from '../../../ports/clock.js';
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
  /** Times the write-behind and tells commit age; the system clock by default. */
  clock?: Clock;
  logger?: Logger;
}

/** Failed attempts in a row before a run's waiting projections are left to readers. */
const MAX_FAILURES = 6;

interface RunState {
  projected: number;
  pending: Map<number, CommitRecord>;
  /** Commits above `projected` whose projections this process wrote: first seq → last seq. */
  written: Map<number, number>;
  /** Aborts the scheduled write (a flush, or a schedule due earlier, replaces it). */
  timer?: AbortController;
  /** When the scheduled write is due: a commit may push it back without a new timer. */
  dueAt?: number;
  /** When the armed timer fires. */
  firesAt?: number;
  /** When the oldest waiting commit arrived. */
  waitingSince?: number;
  flushing?: Promise<void>;
  writer?: ProjectionWriter;
  failures: number;
}

const bySeq = (a: CommitRecord, b: CommitRecord) => a.seq - b.seq;

export class ProjectionLog {
  private readonly runs = new Map<string, RunState>();
  private readonly delayMs: number;
  private readonly maxWaitMs: number;
  private readonly maxPending: number;
  private readonly staleAfterMs: number;
  private readonly maxRuns: number;
  private readonly clock: Clock;

  constructor(private readonly options: ProjectionLogOptions = {}) {
    this.delayMs = options.delayMs ?? 1000;
    this.maxWaitMs = options.maxWaitMs ?? 1000;
    this.maxPending = options.maxPending ?? 32;
    this.staleAfterMs = options.staleAfterMs ?? 5000;
    this.maxRuns = options.maxRuns ?? 10_000;
    this.clock = options.clock ?? new SystemClock();
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
    const staleBefore = this.clock.now() - this.staleAfterMs;
    let adopted = false;
    for (const commit of tail.commits) {
      if (commit.head.lastEventAt > staleBefore || state.pending.has(commit.seq) || state.written.has(commit.firstSeq)) continue;
      state.pending.set(commit.seq, commit);
      adopted = true;
    }
    if (adopted) this.schedule(runId, state, writer);
  }

  /** Writes everything waiting now (listings, tests, shutdown). */
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
      void this.flush(runId);
      return;
    }
    // Debounced: each commit of the run pushes the write back, up to maxWaitMs after the first.
    const now = this.clock.now();
    state.waitingSince ??= now;
    const delay =
      state.failures > 0 ? this.delayMs * 2 ** Math.min(state.failures, 6) : Math.max(0, Math.min(this.delayMs, state.waitingSince + this.maxWaitMs - now));
    state.dueAt = now + delay;
    // A write pushed back keeps its timer, which waits out the rest when it fires: no
    // timer (and no aborted one) per commit on a busy run.
    if (state.timer && state.firesAt! <= state.dueAt) return;
    state.timer?.abort();
    this.arm(runId, state);
  }

  private arm(runId: string, state: RunState): void {
    const timer = new AbortController();
    state.timer = timer;
    state.firesAt = state.dueAt!;
    // Late projections are harmless: never keep a process alive for them.
    this.clock.sleep(Math.max(0, state.firesAt - this.clock.now()), timer.signal, { unref: true }).then(
      () => {
        if (state.timer !== timer) return;
        state.timer = undefined; // fired: nothing to abort
        // Pushed back meanwhile: wait out the rest (only when the clock did reach the fire
        // time, so a clock whose sleeps end early cannot spin this into a loop).
        const now = this.clock.now();
        if (state.dueAt! > now && now >= state.firesAt!) return this.arm(runId, state);
        void this.flush(runId);
      },
      () => undefined, // replaced by an earlier schedule or a flush
    );
  }

  private disarm(state: RunState): void {
    state.timer?.abort();
    state.timer = undefined;
    state.dueAt = undefined;
    state.firesAt = undefined;
  }

  private async flush(runId: string): Promise<void> {
    const state = this.runs.get(runId);
    if (!state) return;
    if (state.flushing) {
      await state.flushing;
      if (state.pending.size > 0) await this.flush(runId);
      return;
    }
    this.disarm(state);
    state.waitingSince = undefined;
    const writer = state.writer;
    if (!writer || (state.pending.size === 0 && state.written.size === 0)) return;
    state.flushing = this.writeAndAdvance(runId, state, writer).finally(() => (state.flushing = undefined));
    await state.flushing;
  }

  private async writeAndAdvance(runId: string, state: RunState, writer: ProjectionWriter): Promise<void> {
    const own = [...state.pending.values()].sort(bySeq);
    state.pending.clear();
    try {
      // Commits in between that this process did not make, read back and written with its own.
      const records = [...(await this.gaps(runId, state, own, writer)), ...own].sort(bySeq);
      if (records.length) await writer.write(coalesce(records));
      for (const record of records) state.written.set(record.firstSeq, record.seq);
      this.advance(state);
      state.failures = 0;
    } catch (error) {
      state.failures++;
      const givingUp = state.failures > MAX_FAILURES;
      // Given up, the commits stay in the log: readers apply them, and adopt them once they are stale.
      if (!givingUp) for (const record of own) if (!state.written.has(record.firstSeq)) state.pending.set(record.seq, record);
      this.options.logger?.warn('dynamodb.projection.write_failed', {
        runId,
        commits: own.length,
        givingUp,
        error: failureKind(error),
      });
      if (givingUp) state.failures = 0;
      else this.schedule(runId, state, writer);
    }
  }

  /** Commits above `projected`, below the newest this process wrote or is writing, that it has not. */
  private async gaps(runId: string, state: RunState, own: CommitRecord[], writer: ProjectionWriter): Promise<CommitRecord[]> {
    const covered = [...state.written.entries(), ...own.map((r) => [r.firstSeq, r.seq] as const)]
      .filter(([, last]) => last > state.projected)
      .sort((a, b) => a[0] - b[0]);
    const holes: Array<[number, number]> = [];
    let next = state.projected + 1;
    for (const [first, last] of covered) {
      if (first > next) holes.push([next, first - 1]);
      next = Math.max(next, last + 1);
    }
    const read = await Promise.all(holes.map(([from, to]) => writer.readCommits(runId, from, to)));
    return read.flat();
  }

  /** Moves `projected` over the gap-free run of written commits above it. */
  private advance(state: RunState): void {
    for (;;) {
      // Readers may have learnt meanwhile that others wrote past these.
      for (const first of [...state.written.keys()]) if (first <= state.projected) state.written.delete(first);
      const end = state.written.get(state.projected + 1);
      if (end === undefined) return;
      state.written.delete(state.projected + 1);
      state.projected = end;
    }
  }
}

/** What kind of failure a write met, without its message (which may quote item values). */
function failureKind(error: unknown): string {
  if (isNetworkError(error)) return 'network error (DynamoDB unreachable)';
  const named = (e: unknown) => {
    const code = (e as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string') return code;
    const name = awsErrorName(e);
    return name === 'Error' ? undefined : name;
  };
  return named(error) ?? named((error as { cause?: unknown } | undefined)?.cause) ?? 'Error';
}
