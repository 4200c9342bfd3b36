// What this process knows about its own sends and deliveries, shared by every
// world instance of one installation in the process (the runtime builds
// several). It is only ever a fast path: every decision that needs another
// process's view goes to the IdempotencyStore. Its records are private; the
// modules that use it say what happened through its methods.
import type { Clock } from '../../ports/clock.js';
import { processScope, token, type ProcessScope } from '../../process-scope.js';
import { BoundedMap } from './bounded-map.js';
import { ReplayPacer, type ReplayPacing } from './replay-pacing.js';
import { RunNets } from './run-nets.js';

const LIMIT = 100_000;

export interface LocalKey {
  messageId: string;
  /** Resolves once the send settled: true when the message exists. */
  sent: Promise<boolean>;
  /** Epoch ms until which this answer is believed: the idempotency window, or a lost claim's lease. */
  believeUntil: number;
}

export interface LocalWakeup {
  messageId: string;
  marked: boolean;
  /** Resolves once the send settled: true when the message exists. */
  sent: Promise<boolean>;
  /** Epoch ms when its mark lease ends. */
  markUntil: number;
  /** Runs here as a continuation of its step (wakeup-continuation.ts), never as a message another process could receive. */
  continuation?: boolean;
}

export class LocalCoordination {
  /** Replay pacing of the runs replayed here (replay-pacing.ts). */
  readonly pacing: ReplayPacer;
  /** The runs this process holds with steps run in process, and their safety nets (run-nets.ts). */
  readonly nets: RunNets;
  /** idempotency key → the message that carries it, as far as this process knows. */
  private readonly keys = new BoundedMap<string, LocalKey>(LIMIT);
  /** runId → the last wake-up this process sent. */
  private readonly wakeups = new BoundedMap<string, LocalWakeup>(LIMIT);
  /** Continuations (by envelope id) that absorbed a later wake-up of their run: their replay reads the log. */
  private readonly absorbing = new BoundedMap<string, true>(LIMIT);
  /** Envelope ids whose delivery began in this process. */
  private readonly begun = new BoundedMap<string, true>(LIMIT);
  /** Envelope id being delivered here → its deadline (epoch ms): an entry past it is abandoned. */
  private readonly inFlight = new Map<string, number>();
  /** Envelope ids whose handler succeeded here (or that were superseded): copies are acked. */
  private readonly done = new BoundedMap<string, true>(LIMIT);
  private readonly runTails = new Map<string, Promise<void>>();
  /** Steps running in process (inline-steps.ts), each holding a slot until it settles. */
  private readonly inline = new Set<Promise<void>>();
  private inlineSlots = 0;
  /** Steps created here waiting for a slot, first come first served. */
  private readonly inlineWaiters: Array<(release: () => void) => void> = [];

  constructor(
    private readonly clock: Clock,
    pacing?: ReplayPacing,
  ) {
    this.pacing = new ReplayPacer(clock, pacing);
    this.nets = new RunNets(clock);
  }

  // Sends (send-coalescer.ts).

  /** What this process knows of `key`, while that is still to be believed. */
  knownKey(key: string): LocalKey | undefined {
    const known = this.keys.get(key);
    return known && known.believeUntil > this.clock.now() ? known : undefined;
  }

  rememberKey(key: string, entry: LocalKey): void {
    this.keys.set(key, entry);
  }

  forgetKey(key: string, entry: LocalKey): void {
    if (this.keys.get(key) === entry) this.keys.delete(key);
  }

  /** The run's last wake-up sent here, if its delivery has not begun here. */
  unstartedWakeup(runId: string): LocalWakeup | undefined {
    const known = this.wakeups.get(runId);
    return known && !this.begun.has(known.messageId) ? known : undefined;
  }

  rememberWakeup(runId: string, entry: LocalWakeup): void {
    this.wakeups.set(runId, entry);
  }

  forgetWakeup(runId: string, entry: LocalWakeup): void {
    if (this.wakeups.get(runId) === entry) this.wakeups.delete(runId);
  }

  /** A continuation is sent as a message after all (wakeup-continuation.ts): another process may receive it now. */
  continuationSent(runId: string, messageId: string): void {
    const known = this.wakeups.get(runId);
    if (known?.messageId === messageId) known.continuation = false;
  }

  /** A later wake-up of its run was dropped into the continuation `messageId` (send-coalescer.ts). */
  absorbedInto(messageId: string): void {
    this.absorbing.set(messageId, true);
  }

  /**
   * Whether the continuation `messageId` absorbed another wake-up: its replay
   * may then owe it an event this process did not commit. Final once its
   * delivery began (began()): a begun wake-up absorbs nothing.
   */
  hasAbsorbed(messageId: string): boolean {
    return this.absorbing.has(messageId);
  }

  // Deliveries (message-processor.ts, wakeup-continuation.ts).

  /** The delivery of `messageId` begins here (it is no longer pending as far as the sender is concerned). */
  began(messageId: string): void {
    this.begun.set(messageId, true);
  }

  hasBegun(messageId: string): boolean {
    return this.begun.has(messageId);
  }

  /** Claims `messageId` for a delivery here until `deadline`; false while another delivery here holds it. */
  enter(messageId: string, deadline: number): boolean {
    const held = this.inFlight.get(messageId);
    if (held !== undefined && held > this.clock.now()) return false;
    this.inFlight.set(messageId, deadline);
    return true;
  }

  /** The delivery that entered with `deadline` is over (settled or abandoned). */
  leave(messageId: string, deadline: number): void {
    if (this.inFlight.get(messageId) === deadline) this.inFlight.delete(messageId);
  }

  /** The handler succeeded here, or the message needs no run: later copies are acked. */
  finished(messageId: string): void {
    this.done.set(messageId, true);
  }

  isFinished(messageId: string): boolean {
    return this.done.has(messageId);
  }

  // Steps run in process (inline-steps.ts).

  /** Reserves one of `limit` slots for a step run in process; the release, or undefined when all are taken. */
  reserveInline(limit: number): (() => void) | undefined {
    if (this.inlineSlots >= limit) return undefined;
    this.inlineSlots++;
    return this.inlineSlotRelease();
  }

  /**
   * A slot for a step that waits here for one, handed over when a running
   * step releases its own; undefined when `backlog` steps wait already.
   * `cancel` gives up the wait (or the slot, if it was handed over).
   */
  waitInline(backlog: number): { slot: Promise<() => void>; cancel: () => void } | undefined {
    if (this.inlineWaiters.length >= backlog) return undefined;
    let waiter!: (release: () => void) => void;
    const slot = new Promise<() => void>((resolve) => (waiter = resolve));
    this.inlineWaiters.push(waiter);
    return {
      slot,
      cancel: () => {
        const at = this.inlineWaiters.indexOf(waiter);
        if (at >= 0) this.inlineWaiters.splice(at, 1);
        else void slot.then((release) => release());
      },
    };
  }

  /** Steps waiting here for a slot. */
  get inlineWaiting(): number {
    return this.inlineWaiters.length;
  }

  private inlineSlotRelease(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.inlineWaiters.shift();
      if (next) next(this.inlineSlotRelease());
      else this.inlineSlots--;
    };
  }

  /** Tracks a step running in process until it settles (`work` must not reject). */
  trackInline(work: Promise<void>): void {
    this.inline.add(work);
    void work.finally(() => this.inline.delete(work));
  }

  /** Resolves once every step running in process now has settled. */
  async inlineSettled(): Promise<void> {
    while (this.inline.size > 0) await Promise.all([...this.inline]);
  }

  /**
   * Runs `work` after every earlier call for `runId` in this process has
   * settled, and after the gap replay pacing asks for. `work` must bound its
   * own time (the delivery deadline): the next replay of the run waits for it.
   */
  async serialized<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.runTails.get(runId) ?? Promise.resolve();
    let release!: () => void;
    const tail = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => tail);
    this.runTails.set(runId, chained);
    await previous;
    const ended = this.pacing.begin(runId);
    try {
      return await work();
    } finally {
      void ended().then(() => {
        release();
        if (this.runTails.get(runId) === chained) this.runTails.delete(runId);
      });
    }
  }
}

const COORDINATION = token<LocalCoordination>('queue-coordination');

/** The process-wide state of one installation (key: config/installation.ts). */
export function processCoordination(installation: string, clock: Clock, scope: ProcessScope = processScope()): LocalCoordination {
  return scope.ofInstallation(COORDINATION, installation, () => new LocalCoordination(clock));
}
