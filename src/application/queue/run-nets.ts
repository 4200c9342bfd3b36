// One safety net per run and process for the steps it runs in process
// (inline-steps.ts), instead of one delayed message per step. See
// docs/queue-protocol.md, "Steps run in process".
//
// The net is a delayed wake-up of the run (`net: true`). While the process
// holds a run (a step of it claimed or running here, up to the end of the
// replay that follows it), some net of the run is durable and not yet due: a
// step's queue() returns only then, and the process sends the successor
// before the current net falls due. So if the process dies, a net is
// received after its death; it replays the run, and that replay re-queues
// every step still pending with a copy that takes over the dead lease
// (producer.ts, recovering deliveries). A net received by the live process
// that sent it is acked with no I/O once a successor covers what it holds.
import { isTerminalWorkflowRunStatus, type Storage, type ValidQueueName } from '@workflow/world';
import { WorkflowRunNotFoundError } from '@workflow/errors';
import { runNetCovers, runNetRearmInMs } from '../../domain/delivery/run-net.js';
import { errorMessage } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { BoundedMap } from './bounded-map.js';
import { payloadIds, type Envelope } from './envelope.js';

/** The run a net wakes: its id and its workflow queue. */
export interface NetRun {
  runId: string;
  queueName: ValidQueueName;
}

/** A sent net: its envelope id, when it falls due (epoch ms, this clock) and its send. */
export interface SentNet {
  id: string;
  dueAt: number;
  sent: Promise<void>;
}

/** Sends a net of `run` now. */
export type SendNet = (run: NetRun) => SentNet;

export interface RunHold {
  /** Settles once a net of the run is durable and covers now; rejects when that send failed. */
  covered: Promise<void>;
  /** The held work is over (its outcome and follow-ups are durable). Idempotent. */
  release(): void;
  /**
   * The held work ended without its follow-up message: the hold stays (nets
   * keep being armed) until a net of the run comes back here, which is then
   * delivered as a recovering replay instead of acked. Idempotent with release.
   */
  releaseToNet(): void;
}

interface Net {
  id: string;
  dueAt: number;
}

interface RunCover {
  run: NetRun;
  holds: number;
  /** Holds ended by releaseToNet: dropped when a net comes back, which is then delivered. */
  toNet: number;
  send: SendNet;
  /** The latest net known durable. */
  durable?: Net;
  /** A net being sent. */
  arming?: Net & { sent: Promise<void> };
}

/** Retry pause for a successor whose send failed. */
const REARM_RETRY_MS = 1_000;
const OWN_LIMIT = 100_000;

/** Process-wide (one per installation, in LocalCoordination): the runs this process holds and the nets it sent. */
export class RunNets {
  private readonly runs = new Map<string, RunCover>();
  /** Ids of nets this process sent: received here, they mean "this process is alive". */
  private readonly own = new BoundedMap<string, true>(OWN_LIMIT);
  private closing = new AbortController();

  constructor(private readonly clock: Clock) {}

  /** Holds `run` covered by a net until `release`: one sent through `send` only when none covers now. */
  hold(run: NetRun, send: SendNet, logger: Logger): RunHold {
    let cover = this.runs.get(run.runId);
    if (!cover) this.runs.set(run.runId, (cover = { run, holds: 0, toNet: 0, send }));
    cover.holds++;
    cover.send = send;
    const covered = this.ensure(cover, logger);
    let released = false;
    return {
      covered,
      release: () => {
        if (released) return;
        released = true;
        cover.holds--;
      },
      releaseToNet: () => {
        if (released) return;
        released = true;
        cover.toNet++;
      },
    };
  }

  /**
   * A net came back. True when this process sent it and is alive: what it
   * holds of the run is covered by a successor (sent now if need be, before
   * the caller acks). False for another process's net, or one sent by an
   * earlier life of this process.
   */
  async receivedOwn(netId: string, runId: string, logger: Logger): Promise<boolean> {
    if (!this.own.has(netId)) return false;
    const cover = this.runs.get(runId);
    if (cover && cover.toNet > 0) {
      // Work of the run ended without its follow-up message: this net replays the run.
      cover.holds -= cover.toNet;
      cover.toNet = 0;
      return false;
    }
    if (!cover || cover.holds === 0) return true;
    const now = this.clock.now();
    if (cover.durable && cover.durable.id !== netId && cover.durable.dueAt > now) return true;
    await this.ensure(cover, logger);
    return true;
  }

  /** Held runs of this process (tests, diagnostics). */
  heldRuns(): string[] {
    return [...this.runs.values()].filter((c) => c.holds > 0).map((c) => c.run.runId);
  }

  /** Stops the successor timers (a closing world); holds taken later arm without them. */
  close(): void {
    this.closing.abort();
  }

  open(): void {
    if (this.closing.signal.aborted) this.closing = new AbortController();
  }

  private ensure(cover: RunCover, logger: Logger): Promise<void> {
    const now = this.clock.now();
    if (cover.durable && runNetCovers(cover.durable.dueAt, now)) return Promise.resolve();
    if (cover.arming && runNetCovers(cover.arming.dueAt, now)) return cover.arming.sent;
    return this.arm(cover, logger);
  }

  private arm(cover: RunCover, logger: Logger): Promise<void> {
    const net = cover.send(cover.run);
    this.own.set(net.id, true);
    const arming = { id: net.id, dueAt: net.dueAt, sent: net.sent };
    cover.arming = arming;
    return net.sent.then(
      () => {
        if (cover.arming === arming) cover.arming = undefined;
        if (!cover.durable || cover.durable.dueAt <= arming.dueAt) {
          cover.durable = { id: arming.id, dueAt: arming.dueAt };
          this.scheduleSuccessor(cover, cover.durable, logger);
        }
      },
      (error: unknown) => {
        if (cover.arming === arming) cover.arming = undefined;
        throw error;
      },
    );
  }

  /** Before `net` falls due: a successor if the run is still held, else the run is forgotten. */
  private scheduleSuccessor(cover: RunCover, net: Net, logger: Logger, delayMs = runNetRearmInMs(net.dueAt, this.clock.now())): void {
    this.clock.sleep(delayMs, this.closing.signal, { unref: true }).then(
      () => {
        if (cover.durable !== net) return; // a later net took over, with its own timer
        if (cover.holds === 0) {
          if (!cover.arming && this.runs.get(cover.run.runId) === cover) this.runs.delete(cover.run.runId);
          return;
        }
        this.arm(cover, logger).catch((error: unknown) => {
          logger.warn("Could not send the successor of a run's safety net; trying again", { runId: cover.run.runId, error: errorMessage(error) });
          this.scheduleSuccessor(cover, net, logger, REARM_RETRY_MS);
        });
      },
      () => undefined,
    );
  }
}

/**
 * What a consumer does with a received net before delivering it: true to ack
 * it unrun (its sender is this live process, or the run is finished or gone),
 * false to deliver it, a replay that recovers what a dead process held.
 */
export function createNetCheck(deps: { nets: RunNets; runs?: Pick<Storage['runs'], 'get'>; logger: Logger }): (envelope: Envelope) => Promise<boolean> {
  return async (envelope) => {
    const { runId } = payloadIds(envelope.payload);
    if (!runId) return false;
    if (await deps.nets.receivedOwn(envelope.id, runId, deps.logger)) return true;
    if (!deps.runs) return false;
    try {
      const run = await deps.runs.get(runId, { resolveData: 'none' });
      return isTerminalWorkflowRunStatus(run.status);
    } catch (error) {
      // Gone: nothing to recover. Any other error: the replay decides.
      return WorkflowRunNotFoundError.is(error);
    }
  };
}
