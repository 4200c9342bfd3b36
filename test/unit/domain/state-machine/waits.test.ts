import type { WorkflowRunStatus } from '@workflow/world';
import type { Snapshot } from '../../../../src/domain/model.js';
import {
  decideWith,
  expectCommit,
  expectRejected,
  requests,
  RUN_ID,
  runRecord,
  T0,
  wait,
  WAIT_CORRELATION,
  type ExpectedError,
} from './fixtures.js';

type WaitState = 'absent' | 'waiting' | 'completed';
const runStatuses: WorkflowRunStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled'];
const snapshotOf = (runStatus: WorkflowRunStatus, waitState: WaitState): Snapshot => ({
  run: runRecord(runStatus),
  ...(waitState === 'absent' ? {} : { wait: wait(waitState) }),
});

const OK = 'ok';
const EXISTS = 'exists';
const ENDED = 'create on ended run';
const NOT_FOUND = 'not found';
const DONE = 'already completed';

const errors = (runStatus: WorkflowRunStatus): Record<string, ExpectedError> => ({
  [EXISTS]: { name: 'EntityConflictError', status: 409, message: `Wait "${WAIT_CORRELATION}" already exists` },
  [ENDED]: {
    name: 'EntityConflictError',
    status: 409,
    message: `Cannot create new entities on run in terminal state "${runStatus}"`,
  },
  [NOT_FOUND]: { name: 'WorkflowWorldError', status: 404, message: `Wait "${WAIT_CORRELATION}" not found` },
  [DONE]: { name: 'EntityConflictError', status: 409, message: `Wait "${WAIT_CORRELATION}" already completed` },
});

// A terminal run has no waits left (they are disposed with it), so wait_completed
// on one meets an absent wait; the rows below still pin what a stray wait would do.
//                                                       run: pending  running  completed failed  cancelled
const table: Array<['wait_created' | 'wait_completed', WaitState, string[]]> = [
  ['wait_created', 'absent', /*      */ [OK, OK, ENDED, ENDED, ENDED]],
  ['wait_created', 'waiting', /*     */ [EXISTS, EXISTS, ENDED, ENDED, ENDED]],
  ['wait_created', 'completed', /*   */ [EXISTS, EXISTS, ENDED, ENDED, ENDED]],
  ['wait_completed', 'absent', /*    */ [NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]],
  ['wait_completed', 'waiting', /*   */ [OK, OK, OK, OK, OK]],
  ['wait_completed', 'completed', /* */ [DONE, DONE, DONE, DONE, DONE]],
];
const cells = table.flatMap(([type, waitState, outcomes]) =>
  runStatuses.map((runStatus, i) => [type, waitState, runStatus, outcomes[i] as string] as const),
);

describe('wait events', () => {
  it.each(cells)('%s with the wait %s on a %s run → %s', (type, waitState, runStatus, outcome) => {
    const decision = decideWith(requests[type], snapshotOf(runStatus, waitState));
    if (outcome !== OK) {
      expectRejected(decision, errors(runStatus)[outcome]!);
      return;
    }
    const { commit, result } = expectCommit(decision);
    expect(commit.events.map((e) => e.eventType)).toEqual([type]);
    expect(commit.putWaits).toStrictEqual([result.wait]);
    expect(result.event).toStrictEqual(commit.events[0]);
    expect(commit.runChanged).toBe(false);
  });

  it('wait_created makes a waiting wait keyed `${runId}-${correlationId}`', () => {
    const { result } = expectCommit(decideWith(requests.wait_created, { run: runRecord('running') }));
    expect(result.wait).toStrictEqual({
      waitId: `${RUN_ID}-${WAIT_CORRELATION}`,
      runId: RUN_ID,
      status: 'waiting',
      resumeAt: new Date(T0 + 60_000),
      createdAt: new Date(T0),
      updatedAt: new Date(T0),
      specVersion: 3,
    });
  });

  it('wait_completed completes the wait, keeping resumeAt', () => {
    const { result } = expectCommit(decideWith(requests.wait_completed, { run: runRecord('running'), wait: wait('waiting') }));
    expect(result.wait).toStrictEqual({
      ...wait('waiting'),
      status: 'completed',
      completedAt: new Date(T0),
      updatedAt: new Date(T0),
    });
  });
});
