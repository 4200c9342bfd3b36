// The contract's error vocabulary (WORLD-CONTRACT §2.2) in one place, so every
// layer raises the same class, status and message for the same situation.
// The runtime matches these by `name`; the messages mirror the reference worlds.
//
// The conflict-style subclasses (EntityConflictError, RunExpiredError,
// TooEarlyError) take no status in their constructors; we set the HTTP
// equivalent anyway so logs and any HTTP front end can report it. The runtime
// only reads `status` on plain WorkflowWorldError, so this changes no behaviour.
import {
  EntityConflictError,
  HookNotFoundError,
  PreconditionFailedError,
  RunExpiredError,
  RunNotSupportedError,
  TooEarlyError,
  WorkflowRunNotFoundError,
  WorkflowWorldError,
} from '@workflow/errors';

const withStatus = <E extends WorkflowWorldError>(error: E, status: number): E => {
  error.status = status;
  return error;
};

export const badRequest = (message: string): WorkflowWorldError => new WorkflowWorldError(message, { status: 400 });

export const notFound = (message: string): WorkflowWorldError => new WorkflowWorldError(message, { status: 404 });

export const conflict = (message: string): EntityConflictError => withStatus(new EntityConflictError(message), 409);

// Runs

export const runNotFound = (runId: string): WorkflowRunNotFoundError => new WorkflowRunNotFoundError(runId);

export const runAlreadyExists = (runId: string): EntityConflictError => conflict(`Workflow run "${runId}" already exists`);

export const runTerminalTransition = (status: string): EntityConflictError =>
  conflict(`Cannot transition run from terminal state "${status}"`);

export const runExpired = (runId: string, status: string): RunExpiredError =>
  withStatus(new RunExpiredError(`Workflow run "${runId}" is already in terminal state "${status}"`), 410);

export const createOnTerminalRun = (status: string): EntityConflictError =>
  conflict(`Cannot create new entities on run in terminal state "${status}"`);

export const runNotSupported = (runSpecVersion: number, worldSpecVersion: number): RunNotSupportedError =>
  new RunNotSupportedError(runSpecVersion, worldSpecVersion);

export const legacyRunNotSupported = (runId: string, specVersion: number | undefined): WorkflowWorldError =>
  badRequest(
    `Workflow run "${runId}" has legacy spec version ${specVersion ?? 'undefined'}; legacy runs are not supported by this world`,
  );

/** §2.6: the caller's event-log snapshot predates an out-of-band event. */
export const staleSnapshot = (stateUpdatedAt: number, externalStateAt: number): PreconditionFailedError =>
  new PreconditionFailedError(
    `Event log snapshot is stale: stateUpdatedAt ${stateUpdatedAt} is older than the latest external event at ${externalStateAt}`,
  );

// Steps

export const stepNotFound = (stepId: string): WorkflowWorldError => notFound(`Step "${stepId}" not found`);

export const stepAlreadyExists = (stepId: string): EntityConflictError => conflict(`Step "${stepId}" already exists`);

export const stepTerminal = (status: string): EntityConflictError =>
  conflict(`Cannot modify step in terminal state "${status}"`);

export const stepOnTerminalRun = (runStatus: string): RunExpiredError =>
  withStatus(new RunExpiredError(`Cannot modify non-running step on run in terminal state "${runStatus}"`), 410);

/** `retryAfterSeconds` is what the runtime waits before redelivering. */
export const stepTooEarly = (stepId: string, retryAfterSeconds: number): TooEarlyError =>
  withStatus(
    new TooEarlyError(`Cannot start step "${stepId}": retryAfter timestamp has not been reached yet`, {
      retryAfter: retryAfterSeconds,
    }),
    425,
  );

// Hooks

/** `token` is the hook's token when the caller knows it, otherwise its hook id (as the reference worlds do). */
export const hookNotFound = (token: string): HookNotFoundError => new HookNotFoundError(token);

export const hookAlreadyCreated = (hookId: string): EntityConflictError => conflict(`Hook "${hookId}" already created`);

// Waits (identified by their correlation id, as the runtime knows them)

export const waitNotFound = (correlationId: string): WorkflowWorldError => notFound(`Wait "${correlationId}" not found`);

export const waitAlreadyExists = (correlationId: string): EntityConflictError =>
  conflict(`Wait "${correlationId}" already exists`);

export const waitAlreadyCompleted = (correlationId: string): EntityConflictError =>
  conflict(`Wait "${correlationId}" already completed`);

// Events

export const eventNotFound = (eventId: string): WorkflowWorldError => notFound(`Event "${eventId}" not found`);

/** The message of anything thrown, for logs and failure reasons. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
