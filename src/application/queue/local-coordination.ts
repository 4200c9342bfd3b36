// What this process knows about its own sends and deliveries, shared by every
// world instance of one installation in the process (the runtime builds
// several): keys it has sent, wake-ups it has sent and whether their delivery
// began here, message ids in flight or done here, and one replay at a time per
// run. It is only ever a fast path: every decision that needs another process's
// view goes to the IdempotencyStore.
import { processScope, token, type ProcessScope } from '../../process-scope.js';

/** Bounded insertion-ordered map: the oldest entries go first. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (super.has(key)) super.delete(key);
    super.set(key, value);
    if (this.size > this.limit) super.delete(this.keys().next().value as K);
    return this;
  }
}

const LIMIT = 100_000;

export interface LocalKey {
  messageId: string;
  /** Resolves once the send settled: true when the message exists. */
  sent: Promise<boolean>;
  /** Epoch ms when the idempotency window ends. */
  expiresAt: number;
}

export interface LocalWakeup {
  messageId: string;
  marked: boolean;
  /** Resolves once the send settled: true when the message exists. */
  sent: Promise<boolean>;
  /** Epoch ms when its mark lease ends. */
  markUntil: number;
}

/**
 * Replay pacing. The runtime's replay of a run with many pending steps costs
 * time quadratic in the width (every pending step polls for idleness and
 * builds its own suspension), and a replay of a fan-out that is still waiting
 * for its steps sends no new step: it only re-queues (coalesced) the pending
 * ones. Such replays running back to back starve the step deliveries of the
 * same process (measured: 90% of a fanout200's wall time was replays; a
 * fanout400 replay with half its steps done took 44 s, more than all its
 * steps together). So after a long replay that sent no new step message, or
 * that fanned out (at least `fanOutFrom` new ones: their first result alone
 * rarely lets the workflow go on), the run's next replay here waits until no
 * step message this process sent for the run is left undelivered here, but
 * at most `factor` times the replay and `capMs`. A short replay, or one that
 * sent a few steps (every sequential step), is never followed by a gap. Only
 * latency changes: the waiting wake-up stays leased and counts no extra
 * receive.
 */
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

export class LocalCoordination {
  /** idempotency key → the message this process sent for it. */
  readonly keys = new BoundedMap<string, LocalKey>(LIMIT);
  /** runId → the last wake-up this process sent. */
  readonly wakeups = new BoundedMap<string, LocalWakeup>(LIMIT);
  /** Envelope ids whose delivery began in this process. */
  readonly begun = new BoundedMap<string, true>(LIMIT);
  /** Envelope ids being delivered here now. */
  readonly inFlight = new Set<string>();
  /** Envelope ids whose handler succeeded here (or that were superseded): copies are acked. */
  readonly done = new BoundedMap<string, true>(LIMIT);
  private readonly runTails = new Map<string, Promise<void>>();
  /** runId → step messages sent (not coalesced) by this process: a replay that sends one made progress. */
  private readonly stepSends = new BoundedMap<string, number>(LIMIT);
  /** runId → step messages sent here and not yet delivered here with success (a hint: may over-count). */
  private readonly stepsOutstanding = new BoundedMap<string, number>(LIMIT);
  /** Step message ids already counted by stepDone: the handler and the consumer may both report one. */
  private readonly stepsCounted = new BoundedMap<string, true>(LIMIT);
  /** runId → ends the run's paced gap now. */
  private readonly gaps = new Map<string, () => void>();

  constructor(private readonly pacing: ReplayPacing = DEFAULT_REPLAY_PACING) {}

  /** A step message of the run left this process (the producer calls it). */
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
    this.gaps.get(runId)?.();
  }

  /** Ends every paced gap now (closing: a waiting wake-up must not hold the drain). */
  endGaps(): void {
    for (const end of [...this.gaps.values()]) end();
  }

  /**
   * Runs `work` after every earlier call for `runId` in this process has
   * settled, and after the gap a long earlier call that sent no step asks
   * for (replay pacing).
   */
  async serialized<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.runTails.get(runId) ?? Promise.resolve();
    let release!: () => void;
    const tail = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => tail);
    this.runTails.set(runId, chained);
    await previous;
    const started = Date.now();
    const sendsBefore = this.stepSends.get(runId) ?? 0;
    try {
      return await work();
    } finally {
      const settle = () => {
        release();
        if (this.runTails.get(runId) === chained) this.runTails.delete(runId);
      };
      const sent = (this.stepSends.get(runId) ?? 0) - sendsBefore;
      const progressed = sent > 0 && sent < this.pacing.fanOutFrom;
      const waiting = (this.stepsOutstanding.get(runId) ?? 0) > 0;
      const gap = progressed || !waiting ? 0 : replayGapMs(Date.now() - started, this.pacing);
      if (gap > 0) {
        const end = () => {
          clearTimeout(timer);
          if (this.gaps.get(runId) === end) this.gaps.delete(runId);
          settle();
        };
        // Unref'd: a gap with nobody waiting must not keep the process alive.
        const timer = setTimeout(end, gap);
        timer.unref?.();
        this.gaps.set(runId, end);
      } else settle();
    }
  }
}

const COORDINATION = token<LocalCoordination>('queue-coordination');

/** The process-wide state of one installation (key: config/installation.ts). */
export function processCoordination(installation: string, scope: ProcessScope = processScope()): LocalCoordination {
  return scope.ofInstallation(COORDINATION, installation, () => new LocalCoordination());
}
