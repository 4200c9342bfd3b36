import { validateUlidTimestamp } from '@workflow/world';
import {
  decideWith,
  expectCommit,
  expectRejected,
  FakeContext,
  requests,
  RUN_ID,
  runIdAt,
  runRecord,
  T0,
} from './fixtures.js';

describe('run_created', () => {
  it.each([null, ''])('mints a run id when the run id is %j, reading nothing', (runId) => {
    const ctx = new FakeContext();
    const { commit, result } = expectCommit(decideWith(requests.run_created, {}, { runId, ctx }));
    expect(commit.runId).toMatch(/^wrun_[0-9A-Z]{26}$/);
    expect(result.run?.runId).toBe(commit.runId);
    expect(result.event?.runId).toBe(commit.runId);
  });

  it('creates a pending run with the request data and one run_created event', () => {
    const ctx = new FakeContext();
    const { commit, result } = expectCommit(decideWith(requests.run_created, {}, { ctx }));
    const run = {
      runId: RUN_ID,
      status: 'pending',
      deploymentId: 'dpl_1',
      workflowName: 'workflow//./src/flows//order',
      specVersion: 3,
      executionContext: { workflowCoreVersion: '4.8.9' },
      input: new Uint8Array([1, 2, 3]),
      createdAt: new Date(T0),
      updatedAt: new Date(T0),
    };
    expect(result.run).toStrictEqual(run);
    expect(commit.events).toStrictEqual([
      {
        eventType: 'run_created',
        specVersion: 3,
        eventData: requests.run_created.eventData,
        runId: RUN_ID,
        eventId: result.event?.eventId,
        createdAt: new Date(T0),
      },
    ]);
    expect(commit.expectRun).toEqual({ kind: 'absent' });
    expect(commit.runChanged).toBe(true);
    expect(commit.run).toStrictEqual({
      run,
      version: 1,
      lastEventId: result.event?.eventId,
      lastEventAt: T0,
      eventCount: 1,
    });
    expect(ctx.idRequests).toEqual([{ after: null, at: T0 }]);
  });

  it('keeps the client correlation id and an explicit spec version 2', () => {
    const { result } = expectCommit(
      decideWith({ ...requests.run_created, specVersion: 2, correlationId: 'corr_1' }, {}),
    );
    expect(result.event).toMatchObject({ correlationId: 'corr_1', specVersion: 2 });
    expect(result.run?.specVersion).toBe(2);
  });

  it('defaults the spec version to the world spec version (3)', () => {
    const { specVersion: _omitted, ...request } = requests.run_created;
    const { result } = expectCommit(decideWith(request, {}));
    expect(result.event?.specVersion).toBe(3);
    expect(result.run?.specVersion).toBe(3);
  });

  it('stores a newer spec version as asked; the run refuses its next event', () => {
    const { result } = expectCommit(decideWith({ ...requests.run_created, specVersion: 4 }, {}));
    expect(result.run?.specVersion).toBe(4);
  });

  it('refuses to create a legacy (spec 1) run', () => {
    expectRejected(decideWith({ ...requests.run_created, specVersion: 1 }, {}), {
      name: 'WorkflowWorldError',
      status: 400,
      message: /legacy runs are not supported by this world$/,
    });
  });

  it.each([
    ['not a ULID', 'wrun_nope', 'Invalid runId: "wrun_nope" is not a valid ULID'],
    [
      'minted more than 24 h ago',
      runIdAt(T0 - 86_401_000),
      'Invalid runId timestamp: embedded timestamp is 86401s in the past (threshold: 86400s)',
    ],
    [
      'minted more than 5 min ahead',
      runIdAt(T0 + 360_000),
      'Invalid runId timestamp: embedded timestamp is 360s in the future (threshold: 300s)',
    ],
  ])('rejects a client run id %s with 400', (_case, runId, message) => {
    expectRejected(decideWith(requests.run_created, {}, { runId }), { name: 'WorkflowWorldError', status: 400, message });
  });

  it.each([
    ['just under 24 h old', runIdAt(T0 - 86_399_000)],
    ['5 min ahead', runIdAt(T0 + 300_000)],
    ['minted now', runIdAt(T0)],
  ])('accepts a client run id %s', (_case, runId) => {
    expect(expectCommit(decideWith(requests.run_created, {}, { runId })).commit.runId).toBe(runId);
  });

  it.each(['pending', 'running', 'completed', 'failed', 'cancelled'] as const)(
    'answers a duplicate of a %s run with EntityConflictError',
    (status) => {
      expectRejected(decideWith(requests.run_created, { run: runRecord(status) }), {
        name: 'EntityConflictError',
        status: 409,
        message: `Workflow run "${RUN_ID}" already exists`,
      });
    },
  );

  it('agrees with the contract’s validateUlidTimestamp when the clocks agree', () => {
    const now = Date.now();
    const ctx = new FakeContext();
    ctx.now = now;
    for (const runId of ['wrun_nope', runIdAt(now - 2 * 86_400_000), runIdAt(now + 3_600_000)]) {
      const decision = decideWith(requests.run_created, {}, { runId, ctx });
      expectRejected(decision, { name: 'WorkflowWorldError', status: 400, message: validateUlidTimestamp(runId, 'wrun_')! });
    }
  });
});
