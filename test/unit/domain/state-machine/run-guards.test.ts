import { ulidToDate } from '@workflow/world';
import type { Snapshot } from '../../../../src/domain/model.js';
import {
  ALL_EVENT_TYPES,
  decideWith,
  expectCommit,
  expectRejected,
  FakeContext,
  hook,
  requests,
  RUN_ID,
  runRecord,
  step,
  T0,
  ulidAt,
  wait,
  type RequestType,
} from './fixtures.js';

const EXISTING_RUN_EVENTS = ALL_EVENT_TYPES.filter((type) => type !== 'run_created');

/** A snapshot in which `type` would commit. */
const happySnapshot = (type: RequestType, overrides: Partial<Parameters<typeof runRecord>[1]> = {}): Snapshot => {
  const run = runRecord(type === 'run_started' ? 'pending' : 'running', overrides);
  switch (type) {
    case 'step_started':
    case 'step_retrying':
      return { run, step: step('pending') };
    case 'step_completed':
    case 'step_failed':
      return { run, step: step('running') };
    case 'hook_received':
    case 'hook_disposed':
      return { run, hook: hook() };
    case 'wait_completed':
      return { run, wait: wait('waiting') };
    default:
      return { run };
  }
};

describe('events on an unknown run', () => {
  it.each(EXISTING_RUN_EVENTS)('%s → WorkflowRunNotFoundError', (type) => {
    expectRejected(decideWith(requests[type], {}), {
      name: 'WorkflowRunNotFoundError',
      status: undefined,
      message: `Workflow run "${RUN_ID}" not found`,
    });
  });
});

describe('spec versions of the stored run', () => {
  it.each(EXISTING_RUN_EVENTS)('%s on a spec-4 run → RunNotSupportedError', (type) => {
    const error = expectRejected(decideWith(requests[type], happySnapshot(type, { run: { specVersion: 4 } })), {
      name: 'RunNotSupportedError',
      status: undefined,
      message: "Run requires spec version 4, but world supports version 3. Please upgrade 'workflow' package.",
    });
    expect(error).toMatchObject({ runSpecVersion: 4, worldSpecVersion: 3 });
  });

  it.each(EXISTING_RUN_EVENTS.flatMap((type) => [[type, 1] as const, [type, undefined] as const]))(
    '%s on a legacy run (spec %s) → 400',
    (type, specVersion) => {
      expectRejected(decideWith(requests[type], happySnapshot(type, { run: { specVersion } })), {
        name: 'WorkflowWorldError',
        status: 400,
        message: `Workflow run "${RUN_ID}" has legacy spec version ${specVersion}; legacy runs are not supported by this world`,
      });
    },
  );

  it.each(EXISTING_RUN_EVENTS)('%s on a spec-2 run is served', (type) => {
    expect(decideWith(requests[type], happySnapshot(type, { run: { specVersion: 2 } })).type).not.toBe('reject');
  });
});

describe('§2.6 stale-snapshot guard', () => {
  const MARKER = T0 - 5_000;
  const guarded = (type: RequestType) => happySnapshot(type, { externalStateAt: MARKER });

  it.each(EXISTING_RUN_EVENTS)('%s with an older stateUpdatedAt → PreconditionFailedError', (type) => {
    expectRejected(decideWith(requests[type], guarded(type), { params: { stateUpdatedAt: MARKER - 1 } }), {
      name: 'PreconditionFailedError',
      status: 412,
      message: `Event log snapshot is stale: stateUpdatedAt ${MARKER - 1} is older than the latest external event at ${MARKER}`,
    });
  });

  it.each([
    ['an equal stateUpdatedAt', { stateUpdatedAt: MARKER }, MARKER],
    ['a newer stateUpdatedAt', { stateUpdatedAt: MARKER + 1 }, MARKER],
    ['no stateUpdatedAt', {}, MARKER],
    ['an older stateUpdatedAt but no marker yet', { stateUpdatedAt: 1 }, undefined],
  ])('passes with %s', (_case, params, externalStateAt) => {
    const snapshot = happySnapshot('wait_created', { externalStateAt });
    expect(expectCommit(decideWith(requests.wait_created, snapshot, { params })).commit.run.externalStateAt).toBe(externalStateAt);
  });

  it('is off when the context disables it', () => {
    const ctx = new FakeContext();
    ctx.preconditionGuard = false;
    expect(decideWith(requests.wait_created, guarded('wait_created'), { ctx, params: { stateUpdatedAt: 1 } }).type).toBe('commit');
  });

  it('is checked before the event’s own rules', () => {
    expectRejected(decideWith(requests.step_started, { run: runRecord('running', { externalStateAt: MARKER }) }, { params: { stateUpdatedAt: 0 } }), {
      name: 'PreconditionFailedError',
      status: 412,
      message: /^Event log snapshot is stale/,
    });
  });

  describe('marker', () => {
    const markerAfter = (type: RequestType, params: { stateUpdatedAt?: number }, ctx = new FakeContext()) => {
      const { commit } = expectCommit(decideWith(requests[type], guarded(type), { params, ctx }));
      return { commit, marker: commit.run.externalStateAt };
    };
    const idTime = (eventId: string) => ulidToDate(eventId.slice(eventId.lastIndexOf('_') + 1))?.getTime();

    it.each(['step_completed', 'hook_received'] as const)('%s without stateUpdatedAt advances it to its event id time', (type) => {
      const { commit, marker } = markerAfter(type, {});
      expect(marker).toBe(idTime(commit.events[0]!.eventId));
      expect(marker).toBe(T0);
    });

    it.each(['step_completed', 'hook_received'] as const)('%s with stateUpdatedAt (replay origin) leaves it', (type) => {
      expect(markerAfter(type, { stateUpdatedAt: MARKER }).marker).toBe(MARKER);
    });

    it.each(EXISTING_RUN_EVENTS.filter((t) => t !== 'step_completed' && t !== 'hook_received'))(
      '%s never moves it',
      (type) => {
        expect(markerAfter(type, {}).marker).toBe(MARKER);
      },
    );

    it('follows the event id time when the id runs ahead of createdAt', () => {
      const ctx = new FakeContext();
      const aheadId = `evnt_${ulidAt(T0 + 5_000, 0)}`;
      const snapshot = { ...guarded('hook_received'), run: runRecord('running', { lastEventId: aheadId, externalStateAt: MARKER }) };
      const { commit } = expectCommit(decideWith(requests.hook_received, snapshot, { ctx }));
      expect(commit.events[0]?.createdAt).toEqual(new Date(T0));
      expect(commit.run.externalStateAt).toBe(T0 + 5_000);
    });

    it('advances even while the guard is off, so turning it on later is sound', () => {
      const ctx = new FakeContext();
      ctx.preconditionGuard = false;
      expect(markerAfter('hook_received', {}, ctx).marker).toBe(T0);
    });
  });
});
