// The event store: the durable log plus the materialised entities.
// Implementations: adapters/memory (tests), adapters/aws/dynamodb (production).
import type { Event, Hook, Step, Wait, WorkflowRun, WorkflowRunStatus } from '@workflow/world';
import type { Commit, RunRecord } from '../domain/model.js';

/** A page of a key-ordered listing. `after` is the last item's sort key, for the next page. */
export interface Page<T> {
  items: T[];
  /** Sort key of the last item returned; pass it as `after` to continue. Null when empty. */
  lastKey: string | null;
  hasMore: boolean;
}

export interface PageRequest {
  limit: number;
  order: 'asc' | 'desc';
  /** Exclusive start: continue after this sort key. */
  after?: string;
}

export interface RunQuery extends PageRequest {
  workflowName?: string;
  status?: WorkflowRunStatus;
}

/** Raised by `commit` when an expectation no longer holds: reload and decide again. */
export class CommitConflict extends Error {
  override readonly name = 'CommitConflict';
  constructor(readonly reason: 'run' | 'token' | 'entity', message?: string) {
    super(message ?? `commit conflict on ${reason}`);
  }
}

export interface EventStore {
  /** Applies the commit atomically or throws CommitConflict and changes nothing. */
  commit(commit: Commit): Promise<void>;

  /** Strongly consistent, with the run's sequence: what a decision needs. */
  getRun(runId: string): Promise<RunRecord | undefined>;
  /**
   * Strongly consistent: the run's current version alone, cheaper than
   * `getRun`. Confirms that a cached run is still current. Optional.
   */
  runVersion?(runId: string): Promise<number | undefined>;
  /** Strongly consistent, the entity alone: for reads that decide nothing (one item). */
  getRunEntity(runId: string): Promise<WorkflowRun | undefined>;
  /** `runId` may be unknown: steps are findable by id alone. */
  getStep(runId: string | undefined, stepId: string): Promise<Step | undefined>;
  getHook(hookId: string): Promise<Hook | undefined>;
  getHookByToken(token: string): Promise<Hook | undefined>;
  getWait(runId: string, waitId: string): Promise<Wait | undefined>;
  getEvent(runId: string, eventId: string): Promise<Event | undefined>;

  /** Sort key: runId (ULID, so creation order). */
  listRuns(query: RunQuery): Promise<Page<WorkflowRun>>;
  /** Sort key: stepId. */
  listSteps(runId: string, page: PageRequest): Promise<Page<Step>>;
  /** Sort key: the event's position in the run's log (commit order). */
  listEvents(runId: string, page: PageRequest): Promise<Page<Event>>;
  /**
   * Strongly consistent: the run's whole log and its version after the last
   * event, as one read (run_started returns the log with the run, so a replay
   * needs no listing). Undefined when the run has no events. Optional.
   */
  readLog?(runId: string): Promise<RunLog | undefined>;
  /**
   * The run's log as this process holds it, with no read: every event up to
   * its `version`, which may be behind the run's (another process may have
   * appended since). Undefined when no whole prefix is held. Optional.
   */
  heldLog?(runId: string): RunLog | undefined;
  /** Sort key: eventId. Without runId, across runs. */
  listEventsByCorrelationId(correlationId: string, runId: string | undefined, page: PageRequest): Promise<Page<Event>>;
  /** Sort key: hookId. Without runId, all hooks. */
  listHooks(runId: string | undefined, page: PageRequest): Promise<Page<Hook>>;
  /** All of a run's hooks and waits, for disposal when the run ends. */
  listRunChildren(runId: string): Promise<{ hooks: Hook[]; waits: Wait[] }>;

  /**
   * Stores that write derived state after a commit (projections) finish that
   * work now: for shutdown, and before index-backed listings (read-your-writes).
   * Reads by key never depend on it.
   */
  flush?(): Promise<void>;

  /** The run, step and wait state as stored, without the log applied (verify). */
  readProjections(runId: string): Promise<StoredProjections>;
  /** Puts the state folded from the log as the run's projections, as of its `eventCount`-th event (verify --repair). */
  rewriteProjections(runId: string, state: StoredProjections, eventCount: number): Promise<void>;
}

export interface RunLog {
  /** Every event of the run, in commit order. */
  events: Event[];
  /** `listEvents`' sort key of the last event: where a listing continues. */
  lastKey: string;
  /** The run's version after the last event (`RunRecord.version`). */
  version: number;
}

export interface StoredProjections {
  run?: WorkflowRun;
  steps: Step[];
  waits: Wait[];
}
