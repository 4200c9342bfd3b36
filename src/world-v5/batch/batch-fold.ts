// Decides a batch chunk as one commit: each event is decided on the state the
// events before it leave (their run record, steps, waits and hooks), and the
// commits are joined into one. Pure, like the domain it drives.
import type { AnyEventRequest } from '@workflow/world';
import type { Commit, DecisionContext, DecisionResult, Snapshot } from '../../domain/model.js';
import { conflict } from '../../domain/errors.js';
import { decide } from '../../domain/state-machine/index.js';
import { waitIdOf } from '../../domain/state-machine/wait.js';
import { isPairStart, type BatchRequest } from './batch-rules.js';

export type FoldedOutcome = { ok: true; result: DecisionResult } | { ok: false; error: Error };

export interface FoldedChunk {
  /** The joined commit, or undefined when no event of the chunk writes anything. */
  commit?: Commit;
  outcomes: FoldedOutcome[];
}

/** Joins consecutive commits of one run: the first's expectation, the last's run record, everything in order. */
export function joinCommits(commits: readonly Commit[]): Commit | undefined {
  const [first] = commits;
  const last = commits.at(-1);
  if (!first || !last) return undefined;
  return {
    runId: first.runId,
    expectRun: first.expectRun,
    run: last.run,
    runChanged: commits.some((c) => c.runChanged),
    events: commits.flatMap((c) => c.events),
    putSteps: commits.flatMap((c) => c.putSteps),
    putHooks: commits.flatMap((c) => c.putHooks),
    deleteHooks: commits.flatMap((c) => c.deleteHooks),
    putWaits: commits.flatMap((c) => c.putWaits),
    deleteWaits: commits.flatMap((c) => c.deleteWaits),
    tokenClaims: commits.flatMap((c) => c.tokenClaims),
    tokenReleases: commits.flatMap((c) => c.tokenReleases),
  };
}

const pairLost = (correlationId: string | undefined): Error =>
  conflict(`Step "${correlationId}" was not created by this batch, so its step_started is not applied`);

/**
 * `snapshots[i]` is what `snapshotNeeds(runId, requests[i])` read, all from
 * the same run version. A step_started whose step_created (the pair's first
 * half) was refused is refused as well: its step belongs to another writer.
 */
export function foldChunk(runId: string, requests: readonly BatchRequest[], snapshots: readonly Snapshot[], ctx: DecisionContext): FoldedChunk {
  const commits: Commit[] = [];
  const outcomes: FoldedOutcome[] = [];
  const steps = new Map<string, NonNullable<Snapshot['step']>>();
  const waits = new Map<string, NonNullable<Snapshot['wait']> | undefined>();
  const hooks = new Map<string, NonNullable<Snapshot['hook']> | undefined>();
  let record = snapshots[0]?.run;
  requests.forEach((request, i) => {
    if (isPairStart(requests, i) && !outcomes[i - 1]?.ok) {
      outcomes.push({ ok: false, error: pairLost(request.correlationId) });
      return;
    }
    const read = snapshots[i] ?? {};
    const snapshot: Snapshot = { ...read, run: record };
    const id = request.correlationId;
    if (id !== undefined && steps.has(id)) snapshot.step = steps.get(id);
    if (id !== undefined && waits.has(waitIdOf(runId, id))) snapshot.wait = waits.get(waitIdOf(runId, id));
    if (id !== undefined && hooks.has(id)) snapshot.hook = hooks.get(id);
    if (!snapshot.run) delete snapshot.run;
    const decision = decide({ runId, request: request as AnyEventRequest, snapshot, ctx });
    if (decision.type === 'reject') {
      outcomes.push({ ok: false, error: decision.error });
      return;
    }
    outcomes.push({ ok: true, result: decision.result });
    if (decision.type !== 'commit') return;
    const { commit } = decision;
    commits.push(commit);
    record = commit.run;
    for (const step of commit.putSteps) steps.set(step.stepId, step);
    for (const wait of commit.putWaits) waits.set(wait.waitId, wait);
    for (const wait of commit.deleteWaits) waits.set(wait.waitId, undefined);
    for (const hook of commit.putHooks) hooks.set(hook.hookId, hook);
    for (const hook of commit.deleteHooks) hooks.set(hook.hookId, undefined);
  });
  return { commit: joinCommits(commits), outcomes };
}
