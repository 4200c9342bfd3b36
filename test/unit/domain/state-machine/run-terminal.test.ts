import type { WorkflowRunStatus } from '@workflow/world';
import {
  bytes,
  decideWith,
  eventDataOf,
  expectCommit,
  expectRejected,
  hook,
  HOOK_ID,
  OTHER_RUN_ID,
  requests,
  RUN_ID,
  runRecord,
  step,
  T0,
  TOKEN,
  wait,
} from './fixtures.js';

type Ending = 'run_completed' | 'run_failed' | 'run_cancelled';
const OK = 'ok';
const CONFLICT = 'conflict';

//                 from:   pending running completed failed   cancelled
const table: Array<[Ending, [string, string, string, string, string]]> = [
  ['run_completed', [OK, OK, CONFLICT, CONFLICT, CONFLICT]],
  ['run_failed', [OK, OK, CONFLICT, CONFLICT, CONFLICT]],
  ['run_cancelled', [OK, OK, CONFLICT, CONFLICT, OK]],
];
const statuses: WorkflowRunStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled'];
const cells = table.flatMap(([type, outcomes]) => statuses.map((from, i) => [type, from, outcomes[i]] as const));
const endState = { run_completed: 'completed', run_failed: 'failed', run_cancelled: 'cancelled' } as const;

describe('ending a run', () => {
  it.each(cells)('%s on a %s run → %s', (type, from, outcome) => {
    const decision = decideWith(requests[type], { run: runRecord(from) });
    if (outcome === CONFLICT) {
      expectRejected(decision, {
        name: 'EntityConflictError',
        status: 409,
        message: `Cannot transition run from terminal state "${from}"`,
      });
      return;
    }
    const { commit, result } = expectCommit(decision);
    expect(commit.events.map((e) => e.eventType)).toEqual([type]);
    expect(result.event).toStrictEqual(commit.events[0]);
    expect(result.run).toStrictEqual(commit.run.run);
    if (from === 'cancelled') {
      // Cancelling again records the event and leaves the run as it was.
      expect(result.run).toStrictEqual(runRecord('cancelled').run);
      expect(commit.runChanged).toBe(false);
      return;
    }
    expect(commit.runChanged).toBe(true);
    expect(result.run).toMatchObject({ status: endState[type], completedAt: new Date(T0), updatedAt: new Date(T0) });
    expect(result.run?.startedAt).toEqual(runRecord(from).run.startedAt);
    expect(result.run?.input).toEqual(bytes(1, 2, 3));
  });

  it('run_completed stores the output', () => {
    const { result } = expectCommit(decideWith(requests.run_completed, { run: runRecord('running') }));
    expect(result.run).toMatchObject({ status: 'completed', output: bytes(7) });
    expect(result.run).not.toHaveProperty('error');
  });

  it('run_cancelled keeps neither output nor error', () => {
    const { result } = expectCommit(decideWith(requests.run_cancelled, { run: runRecord('running') }));
    expect(result.run).not.toHaveProperty('output');
    expect(result.run).not.toHaveProperty('error');
  });
});

describe('run_failed error normalisation', () => {
  it.each([
    ['a string', 'plain text', undefined, { message: 'plain text' }],
    ['an error object', { message: 'm', stack: 'S' }, 'USER_ERROR', { message: 'm', stack: 'S', code: 'USER_ERROR' }],
    ['an object without message', { stack: 'S' }, undefined, { message: 'Unknown error', stack: 'S' }],
    ['a non-string message', { message: 42 }, 'RUNTIME_ERROR', { message: 'Unknown error', code: 'RUNTIME_ERROR' }],
    ['null', null, undefined, { message: 'Unknown error' }],
    ['nothing', undefined, undefined, { message: 'Unknown error' }],
  ])('from %s', (_case, error, errorCode, expected) => {
    const request = { eventType: 'run_failed', specVersion: 3, eventData: { error, errorCode } };
    const { result } = expectCommit(decideWith(request, { run: runRecord('running') }));
    expect(result.run?.error).toStrictEqual(expected);
    expect(result.run?.status).toBe('failed');
    expect(eventDataOf(result.event)).toEqual(errorCode ? { error, errorCode } : { error });
  });
});

describe('terminal disposal', () => {
  const hooks = [hook(), hook({ hookId: 'hook_2', token: 'tok-2' })];
  const waits = [wait('waiting'), wait('completed', { waitId: `${RUN_ID}-wait_2` })];
  const strayHook = hook({ runId: OTHER_RUN_ID, hookId: 'hook_other', token: 'tok-other' });
  const strayWait = wait('waiting', { runId: OTHER_RUN_ID, waitId: `${OTHER_RUN_ID}-wait_9` });

  it.each(['run_completed', 'run_failed', 'run_cancelled'] as const)(
    '%s deletes the run’s hooks and waits and frees the tokens, with no hook_disposed events',
    (type) => {
      const { commit } = expectCommit(
        decideWith(requests[type], {
          run: runRecord('running'),
          step: step('running'),
          runHooks: [...hooks, strayHook],
          runWaits: [...waits, strayWait],
        }),
      );
      expect(commit.events.map((e) => e.eventType)).toEqual([type]);
      expect(commit.deleteHooks).toStrictEqual(hooks);
      expect(commit.tokenReleases).toStrictEqual([
        { token: TOKEN, hookId: HOOK_ID },
        { token: 'tok-2', hookId: 'hook_2' },
      ]);
      expect(commit.deleteWaits).toStrictEqual(waits);
      expect(commit.putSteps).toEqual([]);
      expect(commit.putHooks).toEqual([]);
      expect(commit.putWaits).toEqual([]);
      expect(commit.tokenClaims).toEqual([]);
    },
  );

  it('disposes nothing when the run has no hooks or waits', () => {
    const { commit } = expectCommit(decideWith(requests.run_completed, { run: runRecord('running'), runHooks: [], runWaits: [] }));
    expect(commit.deleteHooks).toEqual([]);
    expect(commit.deleteWaits).toEqual([]);
    expect(commit.tokenReleases).toEqual([]);
  });
});
