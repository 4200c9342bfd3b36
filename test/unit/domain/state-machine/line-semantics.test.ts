// The workflow@5 line's request semantics, each behind its DecisionContext
// switch (lazyStepStart, opaqueErrors, runAttributes); off, the 4.x line's
// decisions are unchanged.
import { bytes, decideWith, eventDataOf, expectCommit, expectRejected, FakeContext, runRecord, RUN_ID, snapshotWith, step, STEP_ID, T0 } from './fixtures.js';

const line5 = () => Object.assign(new FakeContext(), { lazyStepStart: true, opaqueErrors: true, runAttributes: true, worldSpecVersion: 6 });
const lazyStart = { eventType: 'step_started', correlationId: STEP_ID, eventData: { stepName: 'add', input: bytes(1, 2), ownerMessageId: 'msg_1', attempt: 1 } };

describe('lazy step start', () => {
  it('creates the missing step born running: a synthetic step_created, then the step_started, in one commit', () => {
    const { commit, result } = expectCommit(decideWith(lazyStart, snapshotWith('running'), { ctx: line5() }));
    expect(commit.events.map((e) => e.eventType)).toEqual(['step_created', 'step_started']);
    expect(commit.events[0]).toMatchObject({ correlationId: STEP_ID, eventData: { stepName: 'add', input: bytes(1, 2) } });
    // The input rides the step_created only; the owner message id stays on the start.
    expect(eventDataOf(commit.events[1])).toEqual({ stepName: 'add', attempt: 1, ownerMessageId: 'msg_1' });
    expect(commit.putSteps).toEqual([expect.objectContaining({ stepId: STEP_ID, status: 'running', attempt: 1, input: bytes(1, 2), startedAt: new Date(T0) })]);
    expect(result).toMatchObject({ stepCreated: true, step: { status: 'running' }, event: { eventType: 'step_started' } });
    expect(commit.run.eventCount).toBe(runRecord('running').eventCount + 2);
  });

  it.each(['pending', 'running', 'completed'] as const)('loses to a step that exists (%s): 409, so the caller does not run it', (status) => {
    expectRejected(decideWith(lazyStart, snapshotWith('running', { step: step(status) }), { ctx: line5() }), {
      name: 'EntityConflictError',
      status: 409,
      message: `Step "${STEP_ID}" already exists`,
    });
  });

  it.each(['completed', 'failed', 'cancelled'] as const)('creates nothing on a %s run', (status) => {
    expectRejected(decideWith(lazyStart, snapshotWith(status), { ctx: line5() }), { name: 'EntityConflictError', status: 409, message: /Cannot create new entities/ });
  });

  it('is a plain start without input, and refused for a missing step, on the 5 line too', () => {
    const bare = { eventType: 'step_started', correlationId: STEP_ID, eventData: { stepName: 'add' } };
    expectRejected(decideWith(bare, snapshotWith('running'), { ctx: line5() }), { name: 'WorkflowWorldError', status: 404, message: /not found/ });
  });

  it('is off on the 4.x line: the input is ignored and a missing step is not found', () => {
    expectRejected(decideWith(lazyStart, snapshotWith('running')), { name: 'WorkflowWorldError', status: 404, message: /not found/ });
  });
});

describe('opaque errors', () => {
  it('stores run_failed’s error payload as sent, with its errorCode beside it', () => {
    const request = { eventType: 'run_failed', eventData: { error: bytes(7, 7), errorCode: 'USER_ERROR' } };
    const { commit } = expectCommit(decideWith({ ...request }, snapshotWith('running', { runHooks: [], runWaits: [] }), { ctx: line5() }));
    expect(commit.run.run).toMatchObject({ status: 'failed', error: bytes(7, 7), errorCode: 'USER_ERROR' });
  });

  it.each(['step_failed', 'step_retrying'])('stores %s’s error payload as sent', (eventType) => {
    const { commit } = expectCommit(
      decideWith({ eventType, correlationId: STEP_ID, eventData: { error: bytes(3) } }, snapshotWith('running', { step: step('running') }), { ctx: line5() }),
    );
    expect(commit.putSteps[0]!.error).toEqual(bytes(3));
  });

  it('is off on the 4.x line: a StructuredError with the code inside', () => {
    const request = { eventType: 'run_failed', eventData: { error: { message: 'boom', stack: 'at x' }, errorCode: 'E1' } };
    const { commit } = expectCommit(decideWith(request, snapshotWith('running', { runHooks: [], runWaits: [] })));
    expect(commit.run.run.error).toEqual({ message: 'boom', stack: 'at x', code: 'E1' });
    expect((commit.run.run as { errorCode?: string }).errorCode).toBeUndefined();
  });
});

describe('run attributes', () => {
  const created = (attributes: unknown) => ({
    eventType: 'run_created',
    specVersion: 6,
    eventData: { deploymentId: 'dpl_1', workflowName: 'wf', input: bytes(1), attributes },
  });

  it('keeps string attributes on the run and on its run_created, through later transitions', () => {
    const { commit } = expectCommit(decideWith(created({ $rootRunId: 'wrun_root' }), {}, { ctx: line5(), runId: RUN_ID }));
    expect((commit.run.run as { attributes?: unknown }).attributes).toEqual({ $rootRunId: 'wrun_root' });
    expect(eventDataOf(commit.events[0])).toMatchObject({ attributes: { $rootRunId: 'wrun_root' } });
    const started = expectCommit(
      decideWith({ eventType: 'run_started', specVersion: 6 }, { run: { ...commit.run, run: commit.run.run } }, { ctx: line5(), runId: RUN_ID }),
    );
    expect((started.commit.run.run as { attributes?: unknown }).attributes).toEqual({ $rootRunId: 'wrun_root' });
  });

  it('keeps them when a run_started creates its run (resilient start)', () => {
    const request = { eventType: 'run_started', specVersion: 6, eventData: { deploymentId: 'dpl_1', workflowName: 'wf', input: bytes(1), attributes: { a: 'b' } } };
    const { commit } = expectCommit(decideWith(request, {}, { ctx: line5() }));
    expect(commit.events[0]).toMatchObject({ eventType: 'run_created', eventData: { attributes: { a: 'b' } } });
    expect((commit.run.run as { attributes?: unknown }).attributes).toEqual({ a: 'b' });
  });

  it.each([
    [[1], /expected an object of string values/],
    [null, /expected an object of string values/],
    [{ a: 1 }, /Invalid run attribute "a": expected a string value/],
  ])('refuses attributes %j (400)', (attributes, message) => {
    expectRejected(decideWith(created(attributes), {}, { ctx: line5(), runId: RUN_ID }), { name: 'WorkflowWorldError', status: 400, message });
  });

  it('are dropped on the 4.x line, as its schema drops them', () => {
    const { commit } = expectCommit(decideWith({ ...created({ a: 'b' }), specVersion: 3 }, {}, { runId: RUN_ID }));
    expect((commit.run.run as { attributes?: unknown }).attributes).toBeUndefined();
  });
});
