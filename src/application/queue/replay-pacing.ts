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
//
// Across processes: the step messages a fanning-out replay sends carry its
// width so far (`fan`). Another process that completes such a step and sent
// none of the run's steps itself does not replay the run at once (a replay
// there while the fan-out is still being created re-creates its missing steps
// on the same log and contends with every commit of the run): it queues the
// wake-up as a message due `deferralMs(fan)` later, which absorbs its later
// wake-ups of the run (send-coalescer.ts). A workflow message delivered here
// ends the run's gap: it is news from elsewhere that this gap, waiting only
// for deliveries here, cannot see.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '../../ports/clock.js';
import { processScope, token } from '../../process-scope.js';
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
  /** A wake-up deferred by another process waits this long per step of the fan-out's width so far… */
  deferPerStepMs: number;
}

export const DEFAULT_REPLAY_PACING: ReplayPacing = { fromMs: 250, factor: 10, capMs: 60_000, fanOutFrom: 50, deferPerStepMs: 20 };

/** How long a run's next replay waits after one that took `elapsedMs` and sent no new step. */
export function replayGapMs(elapsedMs: number, pacing: ReplayPacing = DEFAULT_REPLAY_PACING): number {
  return elapsedMs < pacing.fromMs ? 0 : Math.min(elapsedMs * pacing.factor, pacing.capMs);
}

/**
 * How long a process that completed a step of a fan-out `width` wide (so far)
 * defers its run's wake-up: a replay's cost grows with the width, and so does
 * the time the fanning-out replay needs to create the steps. At most `capMs`.
 */
export function wakeupDeferralMs(width: number, pacing: ReplayPacing = DEFAULT_REPLAY_PACING): number {
  return Math.min(Math.max(0, width) * pacing.deferPerStepMs, pacing.capMs);
}

/** Whether a step delivered here, sent as part of a fan-out `fan` wide, defers its run's wake-up here. */
export function defersWakeup(fan: number | undefined, sentHere: boolean, pacing: ReplayPacing = DEFAULT_REPLAY_PACING): boolean {
  return fan !== undefined && fan >= pacing.fanOutFrom && !sentHere;
}

interface DeferredWakeups {
  runId: string;
  delayMs: number;
}

const DEFERRED = token<AsyncLocalStorage<DeferredWakeups>>('deferred-wakeups');

/** Process-wide (bundled routes may load their own copy of this module): process-scope.ts. */
function deferredStorage(): AsyncLocalStorage<DeferredWakeups> {
  return processScope().shared(DEFERRED, () => new AsyncLocalStorage<DeferredWakeups>());
}

/** Runs a step handler whose wake-ups of `runId` are deferred by `delayMs` (queued as a message due then). */
export function withDeferredWakeups<T>(runId: string, delayMs: number, work: () => Promise<T>): Promise<T> {
  return deferredStorage().run({ runId, delayMs }, work);
}

/** The deferral of a wake-up of `runId` queued in this async context, if its step defers it. */
export function deferredWakeupMs(runId: string): number | undefined {
  const scope = deferredStorage().getStore();
  return scope?.runId === runId ? scope.delayMs : undefined;
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
  /** runId → step messages sent here before the replay of the run running here began. */
  private readonly replaying = new Map<string, number>();
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

  /** Whether this process sent any step message of the run (it fanned the run out, or ran one of its replays). */
  sentSteps(runId: string): boolean {
    return this.stepSends.has(runId);
  }

  /** The step messages the replay of the run running here has sent so far, once that is a fan-out; else undefined. */
  fanOutWidth(runId: string): number | undefined {
    const before = this.replaying.get(runId);
    if (before === undefined) return undefined;
    const sent = (this.stepSends.get(runId) ?? 0) - before;
    return sent >= this.pacing.fanOutFrom ? sent : undefined;
  }

  /** A workflow message of the run arrived from the queue: what it reports happened elsewhere, so the run's gap ends. */
  wake(runId: string): void {
    this.gaps.get(runId)?.abort();
  }

  /** A replay of the run begins; the returned function, called when it ended, resolves when the next may start. */
  begin(runId: string): () => Promise<void> {
    const started = this.clock.now();
    const sendsBefore = this.stepSends.get(runId) ?? 0;
    this.replaying.set(runId, sendsBefore);
    return () => {
      this.replaying.delete(runId);
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
