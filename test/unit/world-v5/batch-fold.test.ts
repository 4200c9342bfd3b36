// A batch chunk decided as one commit: each event on the state the earlier
// ones leave, joined into one commit of consecutive slots.
import type { DecisionContext, RunRecord, Snapshot } from '../../../src/domain/model.js';
import { foldChunk, joinCommits } from '../../../src/world-v5/batch/batch-fold.js';
import type { BatchRequest } from '../../../src/world-v5/batch/batch-rules.js';
import { v5Semantics } from '../../../src/domain/line-semantics.js';
import { slotToEventId } from '../../../src/domain/slot-ids.js';
import { runRecord, RUN_ID, step, T0 } from '../domain/state-machine/fixtures.js';

const ctx: DecisionContext = { now: T0, newRunId: () => 'wrun_unused', ...v5Semantics(6) };
const base: RunRecord = runRecord('running', { version: 4, eventCount: 4, lastEventId: slotToEventId(4), run: { specVersion: 6 } });
const created = (id: string): BatchRequest => ({ eventType: 'step_created', correlationId: id, eventData: { stepName: 'add', input: new Uint8Array([1]) } });
const started = (id: string): BatchRequest => ({ eventType: 'step_started', correlationId: id });
const snapshots = (n: number, extra: (i: number) => Partial<Snapshot> = () => ({})): Snapshot[] => Array.from({ length: n }, (_, i) => ({ run: base, ...extra(i) }));

describe('foldChunk', () => {
  it.each([1, 2, 5, 32, 50])('commits a fan-out of %d step_created on consecutive slots after the log, in one commit', (n) => {
    const requests = Array.from({ length: n }, (_, i) => created(`step_${i}`));
    const { commit, outcomes } = foldChunk(RUN_ID, requests, snapshots(n), ctx);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(commit!.expectRun).toEqual({ kind: 'version', version: 4 });
    expect(commit!.events.map((e) => e.eventId)).toEqual(requests.map((_, i) => slotToEventId(5 + i)));
    expect(commit!.run).toMatchObject({ version: 4 + n, eventCount: 4 + n, lastEventId: slotToEventId(4 + n) });
    expect(commit!.putSteps.map((s) => s.stepId)).toEqual(requests.map((r) => r.correlationId));
    outcomes.forEach((o, i) => expect(o.ok && o.result.event?.eventId).toBe(slotToEventId(5 + i)));
  });

  it('creates a step born running from a pair: the start sees the create before it', () => {
    const { commit, outcomes } = foldChunk(RUN_ID, [created('a'), started('a')], snapshots(2), ctx);
    expect(commit!.events.map((e) => e.eventType)).toEqual(['step_created', 'step_started']);
    expect(commit!.putSteps.at(-1)).toMatchObject({ stepId: 'a', status: 'running', attempt: 1 });
    expect(outcomes[1]).toMatchObject({ ok: true, result: { step: { status: 'running' } } });
  });

  it('refuses an event the single create would refuse (409) and commits the rest on dense slots', () => {
    const existing = step('pending', { stepId: 'b', runId: RUN_ID });
    const { commit, outcomes } = foldChunk(RUN_ID, [created('a'), created('b'), created('c')], snapshots(3, (i) => (i === 1 ? { step: existing } : {})), ctx);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ ok: false, error: { name: 'EntityConflictError', status: 409 } });
    expect(commit!.events.map((e) => [e.correlationId, e.eventId])).toEqual([
      ['a', slotToEventId(5)],
      ['c', slotToEventId(6)],
    ]);
  });

  it('refuses a pair’s start when its create lost: the step is another writer’s', () => {
    const existing = step('running', { stepId: 'a', runId: RUN_ID });
    const { commit, outcomes } = foldChunk(RUN_ID, [created('a'), started('a')], snapshots(2, () => ({ step: existing })), ctx);
    expect(outcomes).toEqual([
      { ok: false, error: expect.objectContaining({ status: 409 }) },
      { ok: false, error: expect.objectContaining({ name: 'EntityConflictError', status: 409 }) },
    ]);
    expect(commit).toBeUndefined();
  });

  it('ends the run after its steps and disposes of nothing it did not read', () => {
    const requests: BatchRequest[] = [{ eventType: 'step_completed', correlationId: 'a', eventData: { result: new Uint8Array([7]) } }, { eventType: 'run_completed', eventData: { output: new Uint8Array([8]) } }];
    const running = step('running', { stepId: 'a', runId: RUN_ID });
    const { commit, outcomes } = foldChunk(RUN_ID, requests, snapshots(2, (i) => (i === 0 ? { step: running } : { runHooks: [], runWaits: [] })), ctx);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(commit!.run.run.status).toBe('completed');
    expect(commit!.runChanged).toBe(true);
    expect(commit!.events.map((e) => e.eventId)).toEqual([slotToEventId(5), slotToEventId(6)]);
  });

  it('writes nothing when every event is refused', () => {
    const { commit, outcomes } = foldChunk(RUN_ID, [started('x')], snapshots(1), ctx);
    expect(commit).toBeUndefined();
    expect(outcomes[0]!.ok).toBe(false);
  });
});

describe('joinCommits', () => {
  it('is undefined for none', () => {
    expect(joinCommits([])).toBeUndefined();
  });
});
