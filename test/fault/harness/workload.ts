// The suite's workloads (fixtures/app/workflows/faults.ts), started on the
// cluster: sequential steps, a fan-out of 50, hooks resumed from other
// replicas than the one that started the run, and sleeps.
import { randomUUID } from 'node:crypto';
import type { Cluster } from './cluster.js';

export interface WorkloadOptions {
  /** Sequential steps per sequence run. */
  sequenceSteps: number;
  /** How long each sequential step body takes (ms): longer than a gateway's timeout in that case. */
  stepMs: number;
  /** How many sequence runs. */
  sequences: number;
  /** Width of the fan-out run; 0: none. */
  fanOut: number;
  /** Payloads sent to the hook run, each from another replica; 0: no hook run. */
  hookPayloads: number;
  /** Sleeps of the sleep run; 0: none. */
  sleeps: number;
  sleepMs: number;
}

/** Every workload at once; cases that need less CPU drop the fan-out (test/fault/README.md). */
export const DEFAULT_WORKLOAD: WorkloadOptions = { sequenceSteps: 6, stepMs: 0, sequences: 2, fanOut: 50, hookPayloads: 3, sleeps: 2, sleepMs: 1_000 };

export interface StartedRun {
  runId: string;
  what: string;
  expected: unknown;
  /** The ledger keys its step bodies write. */
  ledgerKeys: string[];
}

export interface StartedWorkload {
  runs: StartedRun[];
  /** Resolves once every hook payload was accepted; rejects with why not. */
  resumed: Promise<void>;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export async function startWorkload(cluster: Cluster, options: WorkloadOptions = DEFAULT_WORKLOAD): Promise<StartedWorkload> {
  const tag = randomUUID().slice(0, 8);
  const o = options;
  const runs: StartedRun[] = [];
  const start = async (prefer: number, what: string, workflow: string, args: unknown[], expected: unknown, ledgerKeys: string[]) => {
    const runId = await cluster.onLive((client) => client.start(workflow, args), prefer);
    runs.push({ runId, what, expected, ledgerKeys });
    return runId;
  };

  for (const s of range(o.sequences)) {
    const t = `${tag}-q${s}`;
    await start(s, `sequence of ${o.sequenceSteps}`, 'ledgerSequence', [t, o.sequenceSteps, o.stepMs], o.sequenceSteps, range(o.sequenceSteps).map((i) => `${t}:seq:${i}`));
  }
  if (o.fanOut > 0) {
    const sumOfSquares = range(o.fanOut).reduce((sum, i) => sum + i * i, 0);
    await start(1, `fan-out of ${o.fanOut}`, 'ledgerFanOut', [`${tag}-f`, o.fanOut], sumOfSquares, range(o.fanOut).map((i) => `${tag}-f:fan:${i}`));
  }
  const token = `fault-hook-${tag}`;
  const values = range(o.hookPayloads).map((i) => i + 1);
  if (o.hookPayloads > 0) {
    await start(0, `hook with ${o.hookPayloads} payloads`, 'ledgerHooks', [`${tag}-h`, token, o.hookPayloads], values.reduce((a, b) => a + b, 0), range(o.hookPayloads).map((i) => `${tag}-h:hook:${i}`));
  }
  if (o.sleeps > 0) {
    await start(2, `${o.sleeps} sleeps of ${o.sleepMs} ms`, 'ledgerSleeps', [`${tag}-s`, o.sleeps, o.sleepMs], o.sleeps, range(o.sleeps).map((i) => `${tag}-s:wake:${i}`));
  }

  // Each payload from another replica than the one that started the run (0), in order. A hook whose
  // creating delivery died with a killed replica appears only once that delivery's lease (plus the
  // skew margin) has lapsed, so each resume may wait up to 90 s.
  const resumed = (async () => {
    for (const [i, value] of values.entries()) {
      await cluster.onLive((client) => client.resumeHookWhenReady(token, { value }, 90_000), 1 + (i % (cluster.size - 1)), 120_000);
    }
  })();
  resumed.catch(() => undefined); // awaited by the caller; unobserved until then
  return { runs, resumed };
}

/** Waits for every run; returns one line per run that did not complete with its expected value, and those runs. */
export async function wrongOutcomes(cluster: Cluster, workload: StartedWorkload, timeoutMs: number): Promise<{ problems: string[]; unfinished: string[] }> {
  const problems: string[] = [];
  await workload.resumed.catch((error: unknown) => problems.push(`hook payloads not all accepted: ${String(error)}`));
  const deadline = Date.now() + timeoutMs;
  const began = Date.now();
  const settledAfter: number[] = [];
  const outcomes = await Promise.all(
    workload.runs.map((run, i) =>
      cluster
        .outcome(run.runId, Math.max(1_000, deadline - Date.now()))
        .catch((error: unknown) => ({ outcome: 'error', error: String(error) }))
        .finally(() => (settledAfter[i] = Date.now() - began)),
    ),
  );
  if (process.env.FAULT_VERBOSE === '1') {
    workload.runs.forEach((run, i) => process.stderr.write(`[fault] ${run.what} ${run.runId} settled after ${settledAfter[i]} ms\n`));
  }
  const unfinished: string[] = [];
  workload.runs.forEach((run, i) => {
    const outcome = outcomes[i]!;
    const ok = outcome.outcome === 'completed' && JSON.stringify((outcome as { value: unknown }).value) === JSON.stringify(run.expected);
    if (!ok) {
      problems.push(`run ${run.runId} (${run.what}) expected ${JSON.stringify(run.expected)}, got ${JSON.stringify(outcome)}`);
      unfinished.push(run.runId);
    }
  });
  return { problems, unfinished };
}
