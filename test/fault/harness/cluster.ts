// Several harness servers (test/e2e/harness/server.mjs) on one installation:
// replicas of one app. A replica can be killed (SIGKILL) and restarted with its
// own env; the cluster remembers every pid it killed, for the ledger check.
// Control calls fail over to a live replica, so a kill never fails the driver.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ControlError, type ControlClient, type Outcome } from '../../e2e/harness/client.js';
import { startHarnessServer, type HarnessServer } from '../../e2e/harness/server-process.js';
import { FAULT_LINE } from './line.js';

export interface ReplicaSpec {
  /** Added to the cluster's env for this replica only. */
  env?: Record<string, string>;
  /** Node options, e.g. the clock-offset preload. */
  nodeArgs?: string[];
}

const LOG_TAIL = 40;

export class Cluster {
  private readonly live: (HarnessServer | undefined)[];
  private readonly retired: { index: number; pid: number; how: string; logs: string }[] = [];
  /** Every pid this cluster SIGKILLed. */
  readonly killedPids = new Set<number>();
  private readonly starting = new Set<Promise<unknown>>();
  /** Restarts that failed, reported by the case's checks. */
  readonly restartFailures: string[] = [];
  private stopped = false;

  private constructor(
    private readonly env: Record<string, string>,
    private readonly specs: ReplicaSpec[],
  ) {
    this.live = specs.map(() => undefined);
  }

  static async start(env: Record<string, string>, specs: ReplicaSpec[]): Promise<Cluster> {
    const cluster = new Cluster(env, specs);
    try {
      await Promise.all(specs.map((_, i) => cluster.startReplica(i)));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get size(): number {
    return this.specs.length;
  }

  private async startReplica(index: number): Promise<void> {
    const spec = this.specs[index]!;
    const started = startHarnessServer({
      appDir: FAULT_LINE.appDir,
      server: FAULT_LINE.server,
      env: { ...this.env, ...spec.env },
      nodeArgs: spec.nodeArgs,
    });
    this.starting.add(started);
    try {
      this.live[index] = await started;
    } finally {
      this.starting.delete(started);
    }
  }

  replica(index: number): HarnessServer {
    const server = this.live[index];
    if (!server) throw new Error(`replica ${index} is not running`);
    return server;
  }

  pids(): number[] {
    return this.live.flatMap((s) => (s ? [s.pid] : []));
  }

  /**
   * SIGKILL: the replica dies mid-work, acknowledging and projecting nothing
   * more. Resolves once it is dead; a new process starts in its place behind
   * that (`restarted()` waits for it). False once the cluster is stopping.
   */
  async killAndRestart(index: number): Promise<boolean> {
    const server = this.live[index];
    if (this.stopped || !server) return false;
    this.live[index] = undefined;
    this.killedPids.add(server.pid);
    await server.kill();
    this.retired.push({ index, pid: server.pid, how: 'SIGKILL', logs: server.logs() });
    if (!this.stopped) {
      this.startReplica(index).catch((error: unknown) => this.restartFailures.push(`replica ${index} did not restart: ${String(error)}`));
    }
    return true;
  }

  /** Waits for the replicas being (re)started. */
  async restarted(): Promise<void> {
    await Promise.allSettled([...this.starting]);
  }

  /**
   * Runs `call` on a live replica, starting at `prefer`; a replica that is gone
   * (connection refused or reset by a kill) hands over to the next one.
   */
  async onLive<T>(call: (client: ControlClient) => Promise<T>, prefer = 0, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const index = (prefer + attempt) % this.size;
      const server = this.live[index];
      if (server) {
        try {
          return await call(server.client);
        } catch (error) {
          if (error instanceof ControlError || Date.now() > deadline) throw error;
        }
      }
      if (Date.now() > deadline) throw new Error(`no live replica answered within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** The run's outcome, waited for in slices so a replica killed meanwhile only costs one slice. */
  async outcome(runId: string, timeoutMs: number): Promise<Outcome> {
    const deadline = Date.now() + timeoutMs;
    let last: Outcome = { outcome: 'timeout', status: 'unknown' };
    for (let slice = 0; Date.now() < deadline; slice++) {
      const wait = Math.max(1_000, Math.min(10_000, deadline - Date.now()));
      try {
        last = await this.onLive((client) => client.outcome(runId, wait), slice, wait + 30_000);
      } catch (error) {
        // A replica busy replaying a wide fan-out may not answer within its slice: ask the next one.
        if ((error as Error)?.name === 'TimeoutError' && Date.now() < deadline) continue;
        throw error;
      }
      if (last.outcome !== 'timeout') return last;
    }
    return last;
  }

  /** Every replica's recent output, killed ones included, for failure messages. */
  logs(): string {
    const tail = (text: string) => text.split('\n').slice(-LOG_TAIL).join('\n');
    const current = this.live.flatMap((s, i) => (s ? [`--- replica ${i} (pid ${s.pid}, live)\n${tail(s.logs())}`] : []));
    const gone = this.retired.map((r) => `--- replica ${r.index} (pid ${r.pid}, ${r.how})\n${tail(r.logs)}`);
    return [...gone, ...current].join('\n');
  }

  /** SIGTERM every replica (each closes its world, writing its pending projections). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.starting]);
    const servers = this.live.splice(0, this.live.length, ...this.live.map(() => undefined));
    await Promise.all(
      servers.map(async (server, index) => {
        if (!server) return;
        await server.stop();
        this.retired.push({ index, pid: server.pid, how: 'stopped', logs: server.logs() });
        // FAULT_LOG_DIR: every replica's whole output, for reading a slow or failed case afterwards.
        if (process.env.FAULT_LOG_DIR) writeFileSync(join(process.env.FAULT_LOG_DIR, `replica-${index}-${server.pid}.log`), server.logs());
      }),
    );
  }
}
