// describe() per target for a fault case, each on a fresh embedded local AWS,
// and the checks every case ends with. Targets: `aws` (HTTP deliveries,
// in-process consumers: three server processes) and `aws-lambda` (two handler
// processes fed by the SQS event-source stand-in).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalAws } from '../../../src/infra/local-aws/index.js';
import type { TargetRuntime } from '../../e2e/harness/targets.js';
import { deadLetters, eventTrail, projectionDrift } from './checks.js';
import type { Cluster } from './cluster.js';
import { FAULT_LINE } from './line.js';
import { judgeLedger, readLedger } from './ledger.js';
import { FAULT_SEED } from './seeded-random.js';
import { wrongOutcomes, type StartedWorkload } from './workload.js';

export type FaultTarget = 'aws' | 'aws-lambda';
export const ALL_TARGETS: FaultTarget[] = ['aws', 'aws-lambda'];
/** Replicas per target: three servers on HTTP; two handler processes on Lambda. */
export const REPLICAS: Record<FaultTarget, number> = { aws: 3, 'aws-lambda': 2 };
/** A killed replica's messages come back after this lease (s). */
const VISIBILITY_SECONDS = 3;
/** Every run of a case completes within this, or the case fails saying which did not. */
export const RUN_DEADLINE_MS = 75_000;
/** Start, faults, the run deadline, stop and the checks, on a loaded machine. */
export const CASE_TIMEOUT_MS = 240_000;

export interface FaultContext {
  target: FaultTarget;
  local: LocalAws;
  /** The env every replica starts from: the target's, plus the ledger and a short lease. */
  env: Record<string, string>;
}

export function describeFaultTargets(title: string, targets: FaultTarget[], body: (context: () => FaultContext) => void): void {
  for (const name of targets.filter((t) => FAULT_LINE.supports(t))) {
    describe(`${title} [${FAULT_LINE.name === '4' ? name : `5: ${name}`}]`, () => {
      let runtime: TargetRuntime | undefined;
      let ledgerDir: string | undefined;
      let context: FaultContext | undefined;

      beforeAll(async () => {
        await FAULT_LINE.prepare();
        ledgerDir = await mkdtemp(join(tmpdir(), 'fault-ledger-'));
        runtime = await FAULT_LINE.target(name).start();
        if (!runtime.localAws) throw new Error(`target ${name} runs on no local AWS`);
        context = {
          target: name,
          local: runtime.localAws,
          env: { ...runtime.env, FAULT_LEDGER_FILE: join(ledgerDir, 'ledger.ndjson'), WORKFLOW_AWS_VISIBILITY_SECONDS: String(VISIBILITY_SECONDS) },
        };
      }, 600_000);

      afterAll(async () => {
        await runtime?.stop();
        if (ledgerDir) await rm(ledgerDir, { recursive: true, force: true });
      }, 30_000);

      body(() => {
        if (!context) throw new Error('the target did not start (see beforeAll error)');
        return context;
      });
    });
  }
}

/**
 * Waits for the workload, stops the cluster (each replica writes its pending
 * projections), then checks: every run completed with its value; no step body
 * ran twice unless an earlier run began in a killed process; no DLQ holds a
 * message; verify finds no drift. Throws one error listing every problem.
 */
export async function expectFaultFree(
  context: FaultContext,
  cluster: Cluster,
  workload: StartedWorkload,
  /** What the case's fault did, read once the runs settled (for the summary). */
  caseNotes: () => string[] = () => [],
  /** How long the runs may take: longer where the fault itself delays them. */
  runDeadlineMs = RUN_DEADLINE_MS,
  /** Called once the runs settled, before the replicas stop: what it returns joins the summary. */
  onSettled: () => Promise<string[]> = async () => [],
): Promise<void> {
  const notes: string[] = [];
  const problems: string[] = [];
  const began = Date.now();
  let unfinished: string[] = [];
  try {
    const outcomes = await wrongOutcomes(cluster, workload, runDeadlineMs);
    problems.push(...outcomes.problems);
    unfinished = outcomes.unfinished;
  } finally {
    notes.push(`runs settled in ${Date.now() - began} ms, at ${new Date().toISOString()}`);
    notes.push(...(await onSettled().catch((error: unknown) => [`onSettled failed: ${String(error)}`])));
    await cluster.stop();
  }
  problems.push(...cluster.restartFailures);
  const expected = new Map(workload.runs.map((run) => [run.runId, run.ledgerKeys]));
  const ledger = judgeLedger(readLedger(context.env.FAULT_LEDGER_FILE!), expected, cluster.killedPids);
  problems.push(...ledger.missing);
  problems.push(...ledger.duplicates.map((line) => `step body ran twice: ${line}`));
  problems.push(...(await deadLetters(context.local)).map((line) => `dead letters: ${line}`));
  problems.push(...(await projectionDrift(context.env, workload.runs.map((r) => r.runId))).map((line) => `drift: ${line}`));

  for (const runId of unfinished) problems.push(`log of ${runId}: ${await eventTrail(context.env, runId).catch((e: unknown) => String(e))}`);
  notes.push(...caseNotes());
  const summary = [`kills ${cluster.killedPids.size}`, `re-runs after a kill ${ledger.rerunAfterKill}`, ...notes].join(', ');
  if (problems.length > 0) {
    throw new Error(`${problems.length} problem(s) [FAULT_SEED=${FAULT_SEED}; ${summary}]:\n- ${problems.join('\n- ')}\n\nReplica logs:\n${cluster.logs()}`);
  }
  process.stderr.write(`[fault ${context.target}] ok: ${summary}\n`);
}
