import type { Event } from '@workflow/world';
import type { Commit, RunRecord, Snapshot } from '../../../../src/domain/model.js';
import {
  decideWith,
  expectCommit,
  FakeContext,
  hook,
  requests,
  RUN_ID,
  runRecord,
  step,
  T0,
  wait,
  type RequestType,
} from './fixtures.js';

describe('event ids and createdAt', () => {
  it('never give an event an earlier createdAt than the run’s newest, even when the clock steps back', () => {
    const ctx = new FakeContext();
    ctx.now = T0 - 40_000; // the run's newest event is at T0 - 30 000
    const record = runRecord('running');
    const { commit, result } = expectCommit(decideWith(requests.wait_created, { run: record }, { ctx }));
    expect(result.event?.createdAt).toEqual(new Date(T0 - 30_000));
    expect(result.wait?.createdAt).toEqual(new Date(T0 - 30_000));
    expect(commit.run.lastEventAt).toBe(T0 - 30_000);
    expect(ctx.idRequests).toEqual([{ after: record.lastEventId, at: T0 - 30_000 }]);
  });

  it('use the clock when it is ahead of the run', () => {
    const ctx = new FakeContext();
    const { result } = expectCommit(decideWith(requests.wait_created, { run: runRecord('running') }, { ctx }));
    expect(result.event?.createdAt).toEqual(new Date(T0));
  });

  it('stay ordered over a whole run whose clock wanders back and forth', () => {
    const ctx = new FakeContext();
    const clock = [T0, T0 - 5_000, T0 + 1_000, T0 - 100_000, T0 + 1_000, T0 + 2_000, T0 - 1, T0 + 3_000];
    const flow: Array<[RequestType, (s: State) => Snapshot]> = [
      ['run_created', () => ({})],
      ['run_started', (s) => ({ run: s.record })],
      ['step_created', (s) => ({ run: s.record })],
      ['step_started', (s) => ({ run: s.record, step: s.step })],
      ['step_completed', (s) => ({ run: s.record, step: s.step })],
      ['wait_created', (s) => ({ run: s.record })],
      ['wait_completed', (s) => ({ run: s.record, wait: s.wait })],
      ['run_completed', (s) => ({ run: s.record, runHooks: [], runWaits: s.wait ? [s.wait] : [] })],
    ];
    interface State {
      record?: RunRecord;
      step?: ReturnType<typeof step>;
      wait?: ReturnType<typeof wait>;
    }
    const state: State = {};
    const log: Event[] = [];
    const commits: Commit[] = [];
    flow.forEach(([type, snapshotOf], i) => {
      ctx.now = clock[i]!;
      const { commit, result } = expectCommit(decideWith(requests[type], snapshotOf(state), { ctx }));
      commits.push(commit);
      log.push(...commit.events);
      state.record = commit.run;
      state.step = result.step ?? state.step;
      state.wait = result.wait ?? state.wait;
    });

    const ids = log.map((e) => e.eventId);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const times = log.map((e) => +e.createdAt);
    times.slice(1).forEach((time, i) => expect(time).toBeGreaterThanOrEqual(times[i]!));

    commits.forEach((commit, i) => {
      expect(commit.run.version).toBe(i + 1);
      expect(commit.expectRun).toEqual(i === 0 ? { kind: 'absent' } : { kind: 'version', version: i });
      expect(commit.run.lastEventId).toBe(commit.events.at(-1)?.eventId);
    });
    expect(state.record?.eventCount).toBe(log.length);
    expect(state.record?.run.status).toBe('completed');
    // run_started ran on a clock behind the log, so it took the log's time, and kept it.
    expect(state.record?.run.startedAt).toEqual(new Date(T0));
  });

  it('chain ids within one commit: each id follows the previous one', () => {
    const ctx = new FakeContext();
    const bootstrap = {
      ...requests.run_started,
      eventData: { input: new Uint8Array([1]), deploymentId: 'd', workflowName: 'w' },
    };
    const { commit } = expectCommit(decideWith(bootstrap, {}, { ctx }));
    expect(ctx.idRequests.map((r) => r.after)).toEqual([null, commit.events[0]?.eventId]);
    expect(commit.events.map((e) => e.createdAt)).toEqual([new Date(T0), new Date(T0)]);
  });

  it.each([
    [undefined, 3],
    [2, 2],
  ])('store specVersion = request.specVersion ?? 3 (request: %s)', (specVersion, stored) => {
    const { specVersion: _omit, ...request } = requests.step_created;
    const { result } = expectCommit(decideWith({ ...request, specVersion }, { run: runRecord('running') }));
    expect(result.event?.specVersion).toBe(stored);
    expect(result.step?.specVersion).toBe(stored);
  });

  it('keep the client’s occurredAt on the event', () => {
    const occurredAt = new Date(T0 - 1_234);
    const { result } = expectCommit(decideWith(requests.wait_created, { run: runRecord('running') }, { params: { occurredAt } }));
    expect(result.event?.occurredAt).toEqual(occurredAt);
  });
});

describe('run record bookkeeping', () => {
  const record = runRecord('running', { externalStateAt: T0 - 40_000 });
  const snapshots: Record<RequestType, Snapshot> = {
    run_created: {},
    run_started: { run: runRecord('pending') },
    run_completed: { run: record },
    run_failed: { run: record },
    run_cancelled: { run: record },
    step_created: { run: record },
    step_started: { run: record, step: step('pending') },
    step_completed: { run: record, step: step('running') },
    step_failed: { run: record, step: step('running') },
    step_retrying: { run: record, step: step('running') },
    hook_created: { run: record },
    hook_received: { run: record, hook: hook() },
    hook_disposed: { run: record, hook: hook() },
    wait_created: { run: record },
    wait_completed: { run: record, wait: wait('waiting') },
  };
  const runChanges: Array<[RequestType, boolean]> = [
    ['run_created', true],
    ['run_started', true],
    ['run_completed', true],
    ['run_failed', true],
    ['run_cancelled', true],
    ['step_created', false],
    ['step_started', false],
    ['step_completed', false],
    ['step_failed', false],
    ['step_retrying', false],
    ['hook_created', false],
    ['hook_received', false],
    ['hook_disposed', false],
    ['wait_created', false],
    ['wait_completed', false],
  ];

  it.each(runChanges)('%s: runChanged %s, version +1, eventCount +1, lastEventId/At advanced', (type, runChanged) => {
    const snapshot = snapshots[type];
    const { commit } = expectCommit(decideWith(requests[type], snapshot));
    const before = snapshot.run;
    expect(commit.runChanged).toBe(runChanged);
    expect(commit.runId).toBe(RUN_ID);
    expect(commit.run.version).toBe((before?.version ?? 0) + 1);
    expect(commit.run.eventCount).toBe((before?.eventCount ?? 0) + 1);
    expect(commit.run.lastEventId).toBe(commit.events[0]?.eventId);
    expect(commit.run.lastEventAt).toBe(T0);
    expect(commit.expectRun).toEqual(before ? { kind: 'version', version: before.version } : { kind: 'absent' });
    if (!runChanged) expect(commit.run.run).toStrictEqual(before?.run);
    if (type !== 'step_completed' && type !== 'hook_received') {
      expect(commit.run.externalStateAt).toBe(before?.externalStateAt);
    }
  });
});
