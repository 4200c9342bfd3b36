// Replay pacing. The runtime's replay of a run with many pending steps costs
// time quadratic in the width (every pending step polls for idleness and
// builds its own suspension), and a replay of a fan-out that is still waiting
// for its steps sends no new step: it only re-queues (coalesced) the pending
// ones. Such replays running back to back starve the step deliveries of the
// same process (measured: 90% of a fanout200's wall time was replays; a
// fanout400 replay with half its steps done took 44 s, more than all its
// steps together). So after a long replay that sent no new step message, or
// that fanned out (at least `fanOutFrom` new ones: their first result alone
// rarely lets the workflow go on), the run's next replay here waits until no
// step message this process sent for the run is left undelivered here, but
// at most `factor` times the replay and `capMs`. A short replay, or one that
// sent a few steps (every sequential step), is never followed by a gap. Only
// latency changes: the waiting wake-up stays leased and counts no extra
// receive. close() ends every gap and creates no new one.
import type { Clock } from '../../ports/clock.js';
import { BoundedMap } from './bounded-map.js';

export interface ReplayPacing {
  /** Replays shorter than this never delay the next one. */
  fromMs: number;
  /** The gap is this many times the replay's duration… */
  factor: number;
  /** …and at most this long. */
  capMs: number;
  /** A replay that sent this many new step messages fanned out: it is paced like one that sent none. */
  fanOutFrom: number;
}

export const DEFAULT_REPLAY_PACING: ReplayPacing = { fromMs: 250, factor: 10, capMs: 60_000, fanOutFrom: 50 };

/** How long a run's next replay waits after one that took `elapsedMs` and sent no new step. */
export function replayGapMs(elapsedMs: number, pacing: ReplayPacing = DEFAULT_REPLAY_PACING): number {
  return elapsedMs < pacing.fromMs ? 0 : Math.min(elapsedMs * pacing.factor, pacing.capMs);
}

const LIMIT = 100_000;

export class ReplayPacer {
  /** runId → step messages sent (not coalesced) by this process: a replay that sends one made progress. */
  private readonly stepSends = new BoundedMap<string, number>(LIMIT);
  /** runId → step messages sent here and not yet delivered here with success (a hint: may over-count). */
  private readonly stepsOutstanding = new BoundedMap<string, number>(LIMIT);
  /** Step message ids already counted by stepDone: the handler and the consumer may both report one. */
  private readonly stepsCounted = new BoundedMap<string, true>(LIMIT);
  /** runId → ends the run's gap now. */
  private readonly gaps = new Map<string, AbortController>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly pacing: ReplayPacing = DEFAULT_REPLAY_PACING,
  ) {}

  /** A step message of the run left this process (the producer reports it). */
  stepSent(runId: string): void {
    this.stepSends.set(runId, (this.stepSends.get(runId) ?? 0) + 1);
    this.stepsOutstanding.set(runId, (this.stepsOutstanding.get(runId) ?? 0) + 1);
  }

  /** A step message of the run was delivered here with success; the last one ends the run's gap. */
  stepDone(runId: string, messageId: string): void {
    if (this.stepsCounted.has(messageId)) return;
    this.stepsCounted.set(messageId, true);
    const left = (this.stepsOutstanding.get(runId) ?? 0) - 1;
    if (left > 0) {
      this.stepsOutstanding.set(runId, left);
      return;
    }
    this.stepsOutstanding.delete(runId);
    this.gaps.get(runId)?.abort();
  }

  /** A replay of the run begins; the returned function, called when it ended, resolves when the next may start. */
  begin(runId: string): () => Promise<void> {
    const started = this.clock.now();
    const sendsBefore = this.stepSends.get(runId) ?? 0;
    return () => {
      const sent = (this.stepSends.get(runId) ?? 0) - sendsBefore;
      const progressed = sent > 0 && sent < this.pacing.fanOutFrom;
      const waiting = (this.stepsOutstanding.get(runId) ?? 0) > 0;
      const gap = this.closed || progressed || !waiting ? 0 : replayGapMs(this.clock.now() - started, this.pacing);
      return gap > 0 ? this.waitGap(runId, gap) : Promise.resolve();
    };
  }

  /** Ends every gap now and for good: a replay still running when this is called creates none. */
  close(): void {
    this.closed = true;
    for (const end of [...this.gaps.values()]) end.abort();
  }

  /** Pacing resumes (a consumer started again after close). */
  open(): void {
    this.closed = false;
  }

  private async waitGap(runId: string, ms: number): Promise<void> {
    const end = new AbortController();
    this.gaps.get(runId)?.abort();
    this.gaps.set(runId, end);
    // A gap with nobody waiting must not keep the process alive.
    await this.clock.sleep(ms, end.signal, { unref: true }).catch(() => undefined);
    if (this.gaps.get(runId) === end) this.gaps.delete(runId);
  }
}
