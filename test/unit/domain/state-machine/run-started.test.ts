import type { Snapshot } from '../../../../src/domain/model.js';
import {
  bytes,
  decideWith,
  expectCommit,
  expectRejected,
  FakeContext,
  requests,
  RUN_ID,
  runRecord,
  T0,
} from './fixtures.js';

const bootstrap = {
  ...requests.run_started,
  eventData: {
    input: bytes(1, 2, 3),
    deploymentId: 'dpl_1',
    workflowName: 'workflow//./src/flows//order',
    executionContext: { workflowCoreVersion: '4.8.9' },
  },
};

describe('run_started', () => {
  it('moves a pending run to running, setting startedAt and returning the full run', () => {
    const snapshot: Snapshot = { run: runRecord('pending') };
    const { commit, result } = expectCommit(decideWith(requests.run_started, snapshot));
    expect(result.run).toStrictEqual({
      ...snapshot.run?.run,
      status: 'running',
      startedAt: new Date(T0),
      updatedAt: new Date(T0),
    });
    expect(result.run?.input).toEqual(bytes(1, 2, 3));
    expect(commit.runChanged).toBe(true);
    expect(commit.events).toHaveLength(1);
    expect(commit.expectRun).toEqual({ kind: 'version', version: 7 });
  });

  it('stores no eventData, even when the request carries the run input', () => {
    const { commit, result } = expectCommit(decideWith(bootstrap, { run: runRecord('pending') }));
    expect(commit.events[0]).not.toHaveProperty('eventData');
    expect(result.event).toStrictEqual(commit.events[0]);
    expect(result.run?.input).toEqual(bytes(1, 2, 3));
  });

  it('never moves startedAt once set', () => {
    const startedAt = new Date(T0 - 99_000);
    const { result } = expectCommit(decideWith(requests.run_started, { run: runRecord('pending', { run: { startedAt } }) }));
    expect(result.run?.startedAt).toEqual(startedAt);
  });

  it('is idempotent: a running run is returned as is, with no new event', () => {
    const ctx = new FakeContext();
    const first = expectCommit(decideWith(requests.run_started, { run: runRecord('pending') }, { ctx }));
    ctx.now = T0 + 5_000;
    const second = decideWith(requests.run_started, { run: first.commit.run }, { ctx });
    expect(second).toStrictEqual({ type: 'reply', result: { run: first.commit.run.run } });
    expect(ctx.idRequests).toHaveLength(1);
  });

  it.each(['completed', 'failed', 'cancelled'] as const)('answers a %s run with RunExpiredError', (status) => {
    expectRejected(decideWith(requests.run_started, { run: runRecord(status) }), {
      name: 'RunExpiredError',
      status: 410,
      message: `Workflow run "${RUN_ID}" is already in terminal state "${status}"`,
    });
  });

  it('answers a run created by a newer spec with RunNotSupportedError', () => {
    expectRejected(decideWith(requests.run_started, { run: runRecord('pending', { run: { specVersion: 4 } }) }), {
      name: 'RunNotSupportedError',
      status: undefined,
      message: /^Run requires spec version 4, but world supports version 3\./,
    });
  });

  it.each([
    ['without eventData', requests.run_started],
    ['without input', { ...bootstrap, eventData: { ...bootstrap.eventData, input: undefined } }],
    ['without deploymentId', { ...bootstrap, eventData: { ...bootstrap.eventData, deploymentId: undefined } }],
    ['without workflowName', { ...bootstrap, eventData: { ...bootstrap.eventData, workflowName: undefined } }],
  ])('answers an unknown run %s with WorkflowRunNotFoundError', (_case, request) => {
    expectRejected(decideWith(request, {}), {
      name: 'WorkflowRunNotFoundError',
      status: undefined,
      message: `Workflow run "${RUN_ID}" not found`,
    });
  });
});

describe('resilient start (run_started with the run input on an unknown run)', () => {
  it('creates the run and starts it in one commit, run_created first', () => {
    const ctx = new FakeContext();
    const { commit, result } = expectCommit(decideWith(bootstrap, {}, { ctx }));
    const [created, started] = commit.events;
    expect(commit.events.map((e) => e.eventType)).toEqual(['run_created', 'run_started']);
    expect(created).toStrictEqual({
      eventType: 'run_created',
      eventData: bootstrap.eventData,
      specVersion: 3,
      runId: RUN_ID,
      eventId: created?.eventId,
      createdAt: new Date(T0),
    });
    expect(started).not.toHaveProperty('eventData');
    expect(created!.eventId < started!.eventId).toBe(true);
    expect(ctx.idRequests).toEqual([
      { after: null, at: T0 },
      { after: created?.eventId, at: T0 },
    ]);
    expect(commit.expectRun).toEqual({ kind: 'absent' });
    expect(commit.run).toMatchObject({ version: 1, eventCount: 2, lastEventId: started?.eventId, lastEventAt: T0 });
    expect(result.event).toStrictEqual(started);
    expect(result.run).toStrictEqual({
      runId: RUN_ID,
      status: 'running',
      deploymentId: 'dpl_1',
      workflowName: 'workflow//./src/flows//order',
      specVersion: 3,
      executionContext: { workflowCoreVersion: '4.8.9' },
      input: bytes(1, 2, 3),
      createdAt: new Date(T0),
      startedAt: new Date(T0),
      updatedAt: new Date(T0),
    });
    expect(commit.run.run).toStrictEqual(result.run);
  });

  it('leaves a later run_created to conflict', () => {
    const { commit } = expectCommit(decideWith(bootstrap, {}));
    expectRejected(decideWith(requests.run_created, { run: commit.run }), {
      name: 'EntityConflictError',
      status: 409,
      message: `Workflow run "${RUN_ID}" already exists`,
    });
  });

  it('ignores the bootstrap data when the run exists', () => {
    const existing = runRecord('pending', { run: { input: bytes(42) } });
    const { commit, result } = expectCommit(decideWith(bootstrap, { run: existing }));
    expect(commit.events.map((e) => e.eventType)).toEqual(['run_started']);
    expect(result.run?.input).toEqual(bytes(42));
  });

  it.each([
    [4, 'RunNotSupportedError', undefined, /^Run requires spec version 4/],
    [1, 'WorkflowWorldError', 400, /legacy runs are not supported by this world$/],
  ] as const)('refuses spec version %i', (specVersion, name, status, message) => {
    expectRejected(decideWith({ ...bootstrap, specVersion }, {}), { name, status, message });
  });
});
