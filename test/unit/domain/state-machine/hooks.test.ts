import type { WorkflowRunStatus } from '@workflow/world';
import type { Snapshot, TokenHolder } from '../../../../src/domain/model.js';
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
  T0,
  TOKEN,
} from './fixtures.js';

const runStatuses: WorkflowRunStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled'];

const otherHook = hook({ runId: OTHER_RUN_ID, hookId: 'hook_other' });
const siblingHook = hook({ hookId: 'hook_sibling' });
type TokenState = [label: string, extra: Omit<Snapshot, 'run'>];
const holder = (h: typeof otherHook, runStatus: WorkflowRunStatus | undefined): TokenHolder => ({ hook: h, runStatus });

const tokenStates: TokenState[] = [
  ['token free', {}],
  ['hook already created', { hook: hook(), tokenHolder: holder(hook(), 'running') }],
  ['hook id taken, token free', { hook: hook({ token: 'tok-old' }) }],
  ['token held by a running run', { tokenHolder: holder(otherHook, 'running') }],
  ['token held by a pending run', { tokenHolder: holder(otherHook, 'pending') }],
  ['token held by another hook of this run', { tokenHolder: holder(siblingHook, 'running') }],
  ['token held by a completed run', { tokenHolder: holder(otherHook, 'completed') }],
  ['token held by a failed run', { tokenHolder: holder(otherHook, 'failed') }],
  ['token held by a cancelled run', { tokenHolder: holder(otherHook, 'cancelled') }],
  ['token held by a vanished run', { tokenHolder: holder(otherHook, undefined) }],
];

const CREATE = 'create';
const TAKE_OVER = 'take over';
const HOOK_CONFLICT = 'hook_conflict';
const ALREADY = 'already created';
const ENDED = 'create on ended run';

//                                   run: pending  running  completed failed cancelled
const outcomes: Record<string, string[]> = {
  'token free': /*                   */ [CREATE, CREATE, ENDED, ENDED, ENDED],
  'hook already created': /*         */ [ALREADY, ALREADY, ENDED, ENDED, ENDED],
  'hook id taken, token free': /*    */ [ALREADY, ALREADY, ENDED, ENDED, ENDED],
  'token held by a running run': /*  */ [HOOK_CONFLICT, HOOK_CONFLICT, ENDED, ENDED, ENDED],
  'token held by a pending run': /*  */ [HOOK_CONFLICT, HOOK_CONFLICT, ENDED, ENDED, ENDED],
  'token held by another hook of this run': [HOOK_CONFLICT, HOOK_CONFLICT, ENDED, ENDED, ENDED],
  'token held by a completed run': /**/ [TAKE_OVER, TAKE_OVER, ENDED, ENDED, ENDED],
  'token held by a failed run': /*   */ [TAKE_OVER, TAKE_OVER, ENDED, ENDED, ENDED],
  'token held by a cancelled run': /**/ [TAKE_OVER, TAKE_OVER, ENDED, ENDED, ENDED],
  'token held by a vanished run': /* */ [TAKE_OVER, TAKE_OVER, ENDED, ENDED, ENDED],
};

const cells = tokenStates.flatMap(([label, extra]) =>
  runStatuses.map((runStatus, i) => [label, runStatus, outcomes[label]![i]!, extra] as const),
);

describe('hook_created', () => {
  it.each(cells)('%s, run %s → %s', (_label, runStatus, outcome, extra) => {
    const decision = decideWith(requests.hook_created, { run: runRecord(runStatus), ...extra });
    if (outcome === ENDED) {
      expectRejected(decision, {
        name: 'EntityConflictError',
        status: 409,
        message: `Cannot create new entities on run in terminal state "${runStatus}"`,
      });
      return;
    }
    if (outcome === ALREADY) {
      expectRejected(decision, { name: 'EntityConflictError', status: 409, message: `Hook "${HOOK_ID}" already created` });
      return;
    }
    const { commit, result } = expectCommit(decision);
    expect(commit.runChanged).toBe(false);
    expect(result.event).toStrictEqual(commit.events[0]);
    expect(commit.events).toHaveLength(1);
    if (outcome === HOOK_CONFLICT) {
      expect(result.event).toStrictEqual({
        eventType: 'hook_conflict',
        correlationId: HOOK_ID,
        eventData: { token: TOKEN, conflictingRunId: extra.tokenHolder?.hook.runId },
        specVersion: 3,
        runId: RUN_ID,
        eventId: commit.events[0]?.eventId,
        createdAt: new Date(T0),
      });
      expect(result.hook).toBeUndefined();
      expect(commit.putHooks).toEqual([]);
      expect(commit.deleteHooks).toEqual([]);
      expect(commit.tokenClaims).toEqual([]);
      return;
    }
    expect(commit.events[0]?.eventType).toBe('hook_created');
    expect(commit.putHooks).toStrictEqual([result.hook]);
    if (outcome === CREATE) {
      expect(commit.tokenClaims).toStrictEqual([{ token: TOKEN, hookId: HOOK_ID, runId: RUN_ID, expect: { kind: 'absent' } }]);
      expect(commit.deleteHooks).toEqual([]);
    } else {
      expect(commit.tokenClaims).toStrictEqual([
        { token: TOKEN, hookId: HOOK_ID, runId: RUN_ID, expect: { kind: 'heldBy', hookId: 'hook_other' } },
      ]);
      // The stale holder missed its disposal; it goes with the takeover.
      expect(commit.deleteHooks).toStrictEqual([otherHook]);
    }
    expect(commit.tokenReleases).toEqual([]);
  });

  it('builds the hook entity from the request', () => {
    const { result } = expectCommit(decideWith(requests.hook_created, { run: runRecord('running') }));
    expect(result.hook).toStrictEqual({
      runId: RUN_ID,
      hookId: HOOK_ID,
      token: TOKEN,
      ownerId: '',
      projectId: '',
      environment: '',
      metadata: bytes(8),
      createdAt: new Date(T0),
      specVersion: 3,
      isWebhook: false,
    });
  });

  it('leaves isWebhook unset when the request does not say (legacy semantics)', () => {
    const request = { ...requests.hook_created, eventData: { token: TOKEN } };
    const { result } = expectCommit(decideWith(request, { run: runRecord('running') }));
    expect(result.hook).not.toHaveProperty('isWebhook');
    expect(result.hook).not.toHaveProperty('metadata');
  });
});

describe('hook_received and hook_disposed', () => {
  const hookStates: Array<[string, Omit<Snapshot, 'run'>]> = [
    ['present', { hook: hook() }],
    ['absent', {}],
    ['owned by another run', { hook: hook({ runId: OTHER_RUN_ID }) }],
  ];
  const cells = (['hook_received', 'hook_disposed'] as const).flatMap((type) =>
    hookStates.flatMap(([label, extra]) => runStatuses.map((runStatus) => [type, label, runStatus, extra] as const)),
  );

  it.each(cells)('%s with the hook %s, run %s', (type, label, runStatus, extra) => {
    const decision = decideWith(requests[type], { run: runRecord(runStatus), ...extra });
    if (label !== 'present') {
      const error = expectRejected(decision, { name: 'HookNotFoundError', status: undefined, message: 'Hook not found' });
      // hook_received names the token it was given; hook_disposed (no token) its hook id.
      expect((error as Error & { token?: string }).token).toBe(type === 'hook_received' ? TOKEN : HOOK_ID);
      return;
    }
    const { commit, result } = expectCommit(decision);
    expect(commit.events.map((e) => e.eventType)).toEqual([type]);
    expect(result).toStrictEqual({ event: commit.events[0] });
    expect(commit.runChanged).toBe(false);
    expect(commit.putHooks).toEqual([]);
    expect(commit.tokenClaims).toEqual([]);
    if (type === 'hook_disposed') {
      expect(commit.deleteHooks).toStrictEqual([hook()]);
      expect(commit.tokenReleases).toStrictEqual([{ token: TOKEN, hookId: HOOK_ID }]);
    } else {
      expect(commit.deleteHooks).toEqual([]);
      expect(commit.tokenReleases).toEqual([]);
      expect(eventDataOf(result.event)).toEqual({ token: TOKEN, payload: bytes(3) });
    }
  });

  it('hook_disposed names the token from its eventData when given', () => {
    const request = { ...requests.hook_disposed, eventData: { token: 'tok-given' } };
    const error = expectRejected(decideWith(request, { run: runRecord('running') }), {
      name: 'HookNotFoundError',
      status: undefined,
      message: 'Hook not found',
    });
    expect((error as Error & { token?: string }).token).toBe('tok-given');
  });
});
