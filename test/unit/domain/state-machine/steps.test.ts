import type { Step, StepStatus, WorkflowRunStatus } from '@workflow/world';
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
  step,
  STEP_ID,
  T0,
  type ExpectedError,
} from './fixtures.js';

type StepEvent = 'step_started' | 'step_completed' | 'step_failed' | 'step_retrying';
type StepState = StepStatus | 'absent';

const runStatuses: WorkflowRunStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled'];
const snapshotOf = (runStatus: WorkflowRunStatus, stepState: StepState): Snapshot => ({
  run: runRecord(runStatus),
  ...(stepState === 'absent' ? {} : { step: step(stepState) }),
});

const OK = 'ok';
const NOT_FOUND = 'not found';
const STEP_ENDED = 'step ended';
const RUN_ENDED = 'run ended';
const ALREADY = 'exists';
const CREATE_ON_ENDED = 'create on ended run';

const errorFor = (outcome: string, stepState: StepState, runStatus: WorkflowRunStatus): ExpectedError => {
  switch (outcome) {
    case NOT_FOUND:
      return { name: 'WorkflowWorldError', status: 404, message: `Step "${STEP_ID}" not found` };
    case STEP_ENDED:
      return { name: 'EntityConflictError', status: 409, message: `Cannot modify step in terminal state "${stepState}"` };
    case RUN_ENDED:
      return {
        name: 'RunExpiredError',
        status: 410,
        message: `Cannot modify non-running step on run in terminal state "${runStatus}"`,
      };
    case ALREADY:
      return { name: 'EntityConflictError', status: 409, message: `Step "${STEP_ID}" already exists` };
    case CREATE_ON_ENDED:
      return {
        name: 'EntityConflictError',
        status: 409,
        message: `Cannot create new entities on run in terminal state "${runStatus}"`,
      };
    default:
      throw new Error(outcome);
  }
};

// Every event × step state × run state, as the contract's §2.3 table reads.
//                                      run: pending    running    completed  failed     cancelled
const table: Array<[StepEvent | 'step_created', StepState, string[]]> = [
  ['step_created', 'absent', /*       */ [OK, OK, CREATE_ON_ENDED, CREATE_ON_ENDED, CREATE_ON_ENDED]],
  ['step_created', 'pending', /*      */ [ALREADY, ALREADY, CREATE_ON_ENDED, CREATE_ON_ENDED, CREATE_ON_ENDED]],
  ['step_created', 'running', /*      */ [ALREADY, ALREADY, CREATE_ON_ENDED, CREATE_ON_ENDED, CREATE_ON_ENDED]],
  ['step_created', 'completed', /*    */ [ALREADY, ALREADY, CREATE_ON_ENDED, CREATE_ON_ENDED, CREATE_ON_ENDED]],
  ['step_created', 'failed', /*       */ [ALREADY, ALREADY, CREATE_ON_ENDED, CREATE_ON_ENDED, CREATE_ON_ENDED]],
  ['step_started', 'absent', /*       */ [NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]],
  ['step_started', 'pending', /*      */ [OK, OK, RUN_ENDED, RUN_ENDED, RUN_ENDED]],
  ['step_started', 'running', /*      */ [OK, OK, OK, OK, OK]],
  ['step_started', 'completed', /*    */ [STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED]],
  ['step_started', 'failed', /*       */ [STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED]],
  ['step_completed', 'absent', /*     */ [NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]],
  ['step_completed', 'pending', /*    */ [OK, OK, OK, OK, OK]],
  ['step_completed', 'running', /*    */ [OK, OK, OK, OK, OK]],
  ['step_completed', 'completed', /*  */ [STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED]],
  ['step_completed', 'failed', /*     */ [STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED]],
  ['step_failed', 'absent', /*        */ [NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]],
  ['step_failed', 'pending', /*       */ [OK, OK, RUN_ENDED, RUN_ENDED, RUN_ENDED]],
  ['step_failed', 'running', /*       */ [OK, OK, OK, OK, OK]],
  ['step_failed', 'completed', /*     */ [STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED]],
  ['step_failed', 'failed', /*        */ [STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED]],
  ['step_retrying', 'absent', /*      */ [NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]],
  ['step_retrying', 'pending', /*     */ [OK, OK, OK, OK, OK]],
  ['step_retrying', 'running', /*     */ [OK, OK, OK, OK, OK]],
  ['step_retrying', 'completed', /*   */ [STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED]],
  ['step_retrying', 'failed', /*      */ [STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED, STEP_ENDED]],
];
const cells = table.flatMap(([type, stepState, outcomes]) =>
  runStatuses.map((runStatus, i) => [type, stepState, runStatus, outcomes[i] as string] as const),
);
const resultingStatus = {
  step_created: 'pending',
  step_started: 'running',
  step_completed: 'completed',
  step_failed: 'failed',
  step_retrying: 'pending',
} as const;

describe('step events', () => {
  it.each(cells)('%s with step %s on a %s run → %s', (type, stepState, runStatus, outcome) => {
    const decision = decideWith(requests[type], snapshotOf(runStatus, stepState));
    if (outcome !== OK) {
      expectRejected(decision, errorFor(outcome, stepState, runStatus));
      return;
    }
    const { commit, result } = expectCommit(decision);
    expect(commit.events.map((e) => e.eventType)).toEqual([type]);
    expect(commit.putSteps).toStrictEqual([result.step]);
    expect(result.step).toMatchObject({ runId: RUN_ID, stepId: STEP_ID, status: resultingStatus[type] });
    expect(result.event).toStrictEqual(commit.events[0]);
    expect(commit.runChanged).toBe(false);
    expect(commit.run.run).toStrictEqual(runRecord(runStatus).run);
  });

  it('treats another run’s step with the same id as absent', () => {
    expectRejected(decideWith(requests.step_started, { run: runRecord('running'), step: step('pending', { runId: 'wrun_other' }) }), {
      name: 'WorkflowWorldError',
      status: 404,
      message: `Step "${STEP_ID}" not found`,
    });
  });
});

describe('step entity', () => {
  it('step_created makes a pending step at attempt 0 with its input', () => {
    const { result } = expectCommit(decideWith(requests.step_created, { run: runRecord('running') }));
    expect(result.step).toStrictEqual({
      runId: RUN_ID,
      stepId: STEP_ID,
      stepName: 'step//./src/flows//charge',
      status: 'pending',
      input: bytes(4, 5),
      attempt: 0,
      createdAt: new Date(T0),
      updatedAt: new Date(T0),
      specVersion: 3,
    });
  });

  it('step_started counts attempts, sets startedAt once, clears retryAfter and returns the input', () => {
    const ctx = new FakeContext();
    const first = expectCommit(decideWith(requests.step_started, { run: runRecord('running'), step: step('pending') }, { ctx }));
    expect(first.result.step).toMatchObject({ attempt: 1, startedAt: new Date(T0), input: bytes(4, 5) });

    ctx.now = T0 + 10_000;
    const retried = expectCommit(
      decideWith(requests.step_retrying, { run: first.commit.run, step: first.result.step }, { ctx }),
    ).result.step as Step;
    expect(retried).toMatchObject({ status: 'pending', attempt: 1, retryAfter: new Date(T0 + 30_000) });

    ctx.now = T0 + 30_000;
    const second = expectCommit(decideWith(requests.step_started, { run: runRecord('running'), step: retried }, { ctx }));
    expect(second.result.step).toMatchObject({ status: 'running', attempt: 2, startedAt: new Date(T0), input: bytes(4, 5) });
    expect(second.result.step).not.toHaveProperty('retryAfter');
    expect(second.result.step?.error).toEqual({ message: 'flaky', stack: 'Error: flaky' });
  });

  it.each([
    ['1 ms early', 1, 1],
    ['1.2 s early', 1_200, 2],
    ['30 s early', 30_000, 30],
  ])('step_started %s answers TooEarlyError with retryAfter rounded up to seconds', (_case, earlyBy, seconds) => {
    const pending = step('pending', { retryAfter: new Date(T0 + earlyBy) });
    const error = expectRejected(decideWith(requests.step_started, { run: runRecord('running'), step: pending }), {
      name: 'TooEarlyError',
      status: 425,
      message: `Cannot start step "${STEP_ID}": retryAfter timestamp has not been reached yet`,
    });
    expect((error as Error & { retryAfter?: number }).retryAfter).toBe(seconds);
  });

  it('step_started at exactly retryAfter proceeds', () => {
    const pending = step('pending', { retryAfter: new Date(T0) });
    expect(expectCommit(decideWith(requests.step_started, { run: runRecord('running'), step: pending })).result.step?.status).toBe(
      'running',
    );
  });

  it('step_completed stores the result as output and completedAt', () => {
    const { result } = expectCommit(decideWith(requests.step_completed, { run: runRecord('running'), step: step('running') }));
    expect(result.step).toMatchObject({ status: 'completed', output: bytes(6), completedAt: new Date(T0), attempt: 1 });
  });

  it.each([
    ['a string with a separate stack', 'fatal', 'FatalError: fatal', { message: 'fatal', stack: 'FatalError: fatal' }],
    ['an error object (its own stack is not used)', { message: 'm', stack: 'inner' }, undefined, { message: 'm' }],
    ['something without a message', {}, undefined, { message: 'Unknown error' }],
  ])('step_failed normalises %s', (_case, error, stack, expected) => {
    const request = { ...requests.step_failed, eventData: { error, stack } };
    const { result } = expectCommit(decideWith(request, { run: runRecord('running'), step: step('running') }));
    expect(result.step).toMatchObject({ status: 'failed', completedAt: new Date(T0) });
    expect(result.step?.error).toStrictEqual(expected);
  });

  it('step_retrying without retryAfter leaves none', () => {
    const request = { ...requests.step_retrying, eventData: { error: 'again' } };
    const running = step('running', { retryAfter: new Date(T0 - 1) });
    const { result } = expectCommit(decideWith(request, { run: runRecord('running'), step: running }));
    expect(result.step).not.toHaveProperty('retryAfter');
    expect(result.step?.error).toStrictEqual({ message: 'again' });
  });
});
