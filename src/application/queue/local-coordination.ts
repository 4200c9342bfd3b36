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

  /** Runs `work` after every earlier call for `runId` in this process has settled. */
  async serialized<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.runTails.get(runId) ?? Promise.resolve();
    let release!: () => void;
    const tail = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => tail);
    this.runTails.set(runId, chained);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.runTails.get(runId) === chained) this.runTails.delete(runId);
    }
  }
}

const COORDINATION = token<LocalCoordination>('queue-coordination');

/** The process-wide state of one installation (key: its deployment id). */
export function processCoordination(deploymentId: string, scope: ProcessScope = processScope()): LocalCoordination {
  return scope.ofInstallation(COORDINATION, deploymentId, () => new LocalCoordination());
}
