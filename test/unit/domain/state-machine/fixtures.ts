// Deterministic context, entity builders and assertions for the state machine tests.
import type { AnyEventRequest, Hook, Step, StepStatus, Wait, WorkflowRun, WorkflowRunStatus } from '@workflow/world';
import type { CreateEventParams } from '@workflow/world';
import type { Commit, Decision, DecisionContext, DecisionResult, RunRecord, Snapshot } from '../../../../src/domain/model.js';
import { decide } from '../../../../src/domain/state-machine/index.js';

export const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const encode = (value: number, length: number): string => {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
};

/** A valid ULID with time `ms`; `sequence` fills the random part so ids at the same ms still sort. */
export const ulidAt = (ms: number, sequence = 0): string => encode(ms, 10) + encode(sequence, 16);

const timeOfUlid = (ulid: string): number =>
  [...ulid.slice(0, 10)].reduce((acc, char) => acc * 32 + CROCKFORD.indexOf(char), 0);

export const runIdAt = (ms: number): string => `wrun_${ulidAt(ms)}`;

/**
 * A DecisionContext with a hand-set clock. Event ids behave like a monotonic
 * ULID source: time `max(at, time of after)`, then a counter.
 */
export class FakeContext implements DecisionContext {
  now = T0;
  worldSpecVersion = 3;
  preconditionGuard = true;
  readonly idRequests: Array<{ after: string | null; at: number }> = [];
  private sequence = 0;

  nextEventId(after: string | null, at: number): string {
    this.idRequests.push({ after, at });
    const afterTime = after ? timeOfUlid(after.slice(after.indexOf('_') + 1)) : 0;
    return `evnt_${ulidAt(Math.max(at, afterTime), ++this.sequence)}`;
  }

  newRunId(at: number): string {
    return `wrun_${ulidAt(at, ++this.sequence)}`;
  }
}

export const RUN_ID = runIdAt(T0 - 60_000);
export const OTHER_RUN_ID = runIdAt(T0 - 120_000);
export const STEP_ID = 'step_01JXSTEP000000000000000001';
export const HOOK_ID = 'hook_01JXHOOK000000000000000001';
export const WAIT_CORRELATION = 'wait_01JXWAIT000000000000000001';
export const TOKEN = 'tok-abc';
export const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

const terminal = new Set<WorkflowRunStatus>(['completed', 'failed', 'cancelled']);

export const workflowRun = (status: WorkflowRunStatus, overrides: Partial<WorkflowRun> = {}): WorkflowRun => {
  const created = new Date(T0 - 60_000);
  const base = {
    runId: RUN_ID,
    deploymentId: 'dpl_1',
    workflowName: 'workflow//./src/flows//order',
    specVersion: 3,
    executionContext: { workflowCoreVersion: '4.8.9' },
    input: bytes(1, 2, 3),
    createdAt: created,
    updatedAt: created,
    ...(status === 'pending' ? {} : { startedAt: new Date(T0 - 50_000) }),
    ...(terminal.has(status) ? { completedAt: new Date(T0 - 40_000) } : {}),
    ...(status === 'completed' ? { output: bytes(9) } : {}),
    ...(status === 'failed' ? { error: { message: 'boom' } } : {}),
  };
  return { ...base, status, ...overrides } as WorkflowRun;
};

export const runRecord = (
  status: WorkflowRunStatus,
  overrides: Partial<Omit<RunRecord, 'run'>> & { run?: Partial<WorkflowRun> } = {},
): RunRecord => {
  const { run, ...rest } = overrides;
  return {
    run: workflowRun(status, run),
    version: 7,
    lastEventId: `evnt_${ulidAt(T0 - 30_000, 0)}`,
    lastEventAt: T0 - 30_000,
    eventCount: 7,
    ...rest,
  };
};

export const step = (status: StepStatus, overrides: Partial<Step> = {}): Step => ({
  runId: RUN_ID,
  stepId: STEP_ID,
  stepName: 'step//./src/flows//charge',
  status,
  input: bytes(4, 5),
  attempt: status === 'pending' ? 0 : 1,
  createdAt: new Date(T0 - 20_000),
  updatedAt: new Date(T0 - 20_000),
  ...(status === 'pending' ? {} : { startedAt: new Date(T0 - 15_000) }),
  specVersion: 3,
  ...overrides,
});

export const hook = (overrides: Partial<Hook> = {}): Hook => ({
  runId: RUN_ID,
  hookId: HOOK_ID,
  token: TOKEN,
  ownerId: '',
  projectId: '',
  environment: '',
  createdAt: new Date(T0 - 20_000),
  specVersion: 3,
  isWebhook: false,
  ...overrides,
});

export const wait = (status: Wait['status'], overrides: Partial<Wait> = {}): Wait => ({
  waitId: `${RUN_ID}-${WAIT_CORRELATION}`,
  runId: RUN_ID,
  status,
  resumeAt: new Date(T0 + 60_000),
  createdAt: new Date(T0 - 20_000),
  updatedAt: new Date(T0 - 20_000),
  specVersion: 3,
  ...(status === 'completed' ? { completedAt: new Date(T0 - 10_000) } : {}),
  ...overrides,
});

/** One valid request of every requestable event type, as the runtime sends them. */
export const requests = {
  run_created: {
    eventType: 'run_created',
    specVersion: 3,
    eventData: {
      deploymentId: 'dpl_1',
      workflowName: 'workflow//./src/flows//order',
      input: bytes(1, 2, 3),
      executionContext: { workflowCoreVersion: '4.8.9' },
    },
  },
  run_started: { eventType: 'run_started', specVersion: 3 },
  run_completed: { eventType: 'run_completed', specVersion: 3, eventData: { output: bytes(7) } },
  run_failed: {
    eventType: 'run_failed',
    specVersion: 3,
    eventData: { error: { message: 'it broke', stack: 'Error: it broke\n    at x' }, errorCode: 'USER_ERROR' },
  },
  run_cancelled: { eventType: 'run_cancelled', specVersion: 3 },
  step_created: {
    eventType: 'step_created',
    specVersion: 3,
    correlationId: STEP_ID,
    eventData: { stepName: 'step//./src/flows//charge', input: bytes(4, 5) },
  },
  step_started: { eventType: 'step_started', specVersion: 3, correlationId: STEP_ID, eventData: { stepName: 'charge' } },
  step_completed: { eventType: 'step_completed', specVersion: 3, correlationId: STEP_ID, eventData: { result: bytes(6) } },
  step_failed: {
    eventType: 'step_failed',
    specVersion: 3,
    correlationId: STEP_ID,
    eventData: { error: 'fatal', stack: 'FatalError: fatal' },
  },
  step_retrying: {
    eventType: 'step_retrying',
    specVersion: 3,
    correlationId: STEP_ID,
    eventData: { error: 'flaky', stack: 'Error: flaky', retryAfter: new Date(T0 + 30_000) },
  },
  hook_created: {
    eventType: 'hook_created',
    specVersion: 3,
    correlationId: HOOK_ID,
    eventData: { token: TOKEN, metadata: bytes(8), isWebhook: false },
  },
  hook_received: {
    eventType: 'hook_received',
    specVersion: 3,
    correlationId: HOOK_ID,
    eventData: { token: TOKEN, payload: bytes(3) },
  },
  hook_disposed: { eventType: 'hook_disposed', specVersion: 3, correlationId: HOOK_ID },
  wait_created: {
    eventType: 'wait_created',
    specVersion: 3,
    correlationId: WAIT_CORRELATION,
    eventData: { resumeAt: new Date(T0 + 60_000) },
  },
  wait_completed: { eventType: 'wait_completed', specVersion: 3, correlationId: WAIT_CORRELATION },
} satisfies { [K in AnyEventRequest['eventType']]: Extract<AnyEventRequest, { eventType: K }> };

export type RequestType = keyof typeof requests;
export const ALL_EVENT_TYPES = Object.keys(requests) as RequestType[];

/** A decision's commit and result; fails the test when the decision is not a commit. */
export const expectCommit = (decision: Decision): { commit: Commit; result: DecisionResult } => {
  if (decision.type !== 'commit') {
    throw new Error(`expected a commit, got ${decision.type}: ${decision.type === 'reject' ? describeError(decision.error) : ''}`);
  }
  return { commit: decision.commit, result: decision.result };
};

export interface ExpectedError {
  name: string;
  status: number | undefined;
  message: string | RegExp;
}

export const expectRejected = (decision: Decision, expected: ExpectedError): Error => {
  if (decision.type !== 'reject') throw new Error(`expected a rejection (${expected.name}), got ${decision.type}`);
  const error = decision.error as Error & { status?: number };
  expect(error.name).toBe(expected.name);
  expect(error.status).toBe(expected.status);
  if (typeof expected.message === 'string') expect(error.message).toBe(expected.message);
  else expect(error.message).toMatch(expected.message);
  return error;
};

const describeError = (error: Error): string => `${error.name}: ${error.message}`;

export const snapshotWith = (status: WorkflowRunStatus, extra: Omit<Snapshot, 'run'> = {}): Snapshot => ({
  run: runRecord(status),
  ...extra,
});

/** `decide` with the fixtures' defaults: RUN_ID, a fresh FakeContext, no params. */
export const decideWith = (
  request: unknown,
  snapshot: Snapshot,
  options: { runId?: string | null; params?: CreateEventParams; ctx?: FakeContext } = {},
): Decision =>
  decide({
    runId: options.runId === undefined ? RUN_ID : options.runId,
    request: request as AnyEventRequest,
    params: options.params,
    snapshot,
    ctx: options.ctx ?? new FakeContext(),
  });

/** An event's eventData, whatever its type. */
export const eventDataOf = (event: object | undefined): unknown => (event as { eventData?: unknown } | undefined)?.eventData;
