// The persisted shape of the world's entities. The entity types are the
// contract's own (@workflow/world); records add only the bookkeeping that
// optimistic concurrency and ordered appends need.
import type { Event, Hook, Step, Wait, WorkflowRun, WorkflowRunStatus } from '@workflow/world';

/**
 * Claim check: a payload too large to store inline lives in the blob store
 * under `blobKey`. Any payload field of a record or event may hold one.
 */
export class BlobPointer {
  constructor(
    readonly blobKey: string,
    readonly byteLength: number,
  ) {}
}

export const isBlobPointer = (value: unknown): value is BlobPointer => value instanceof BlobPointer;

export interface RunRecord {
  run: WorkflowRun;
  /** Bumped by every event appended to the run; every commit is conditioned on it. */
  version: number;
  /** Newest event id of the run. New ids sort strictly after it, so list order is commit order. */
  lastEventId: string | null;
  /** createdAt (epoch ms) of the newest event; the next event never gets an earlier one. */
  lastEventAt: number;
  /** Number of events appended to the run. */
  eventCount: number;
  /**
   * 412 guard marker (contract §2.6): ULID time of the newest hook_received or
   * step_completed created without `stateUpdatedAt`.
   */
  externalStateAt?: number;
}

/** Who holds a hook token, and whether that holder's run is still live. */
export interface TokenHolder {
  hook: Hook;
  runStatus: WorkflowRunStatus | undefined;
}

/** What the state machine reads before deciding on one event request. */
export interface Snapshot {
  run?: RunRecord;
  step?: Step;
  hook?: Hook;
  wait?: Wait;
  /** For hook_created: the current holder of the requested token, if any. */
  tokenHolder?: TokenHolder;
  /** For terminal run transitions: the run's hooks and waits, to dispose of. */
  runHooks?: Hook[];
  runWaits?: Wait[];
}

/** Which reads a snapshot needs for one request (see `snapshotNeeds`). */
export interface SnapshotNeeds {
  runId: string;
  stepId?: string;
  hookId?: string;
  waitId?: string;
  token?: string;
  runChildren?: boolean;
}

export type RunExpectation = { kind: 'absent' } | { kind: 'version'; version: number };

/**
 * One atomic unit of writes: the events appended to a run and the entity
 * changes they cause. The store applies all of it or none of it, and fails with
 * `CommitConflict` when the run is no longer at `expectRun` or a token claim's
 * expectation does not hold.
 */
export interface Commit {
  runId: string;
  expectRun: RunExpectation;
  run: RunRecord;
  /** False when only the run's sequencing fields changed, so the run entity need not be rewritten. */
  runChanged: boolean;
  /** Appended in this order; ids strictly increase and follow the run's lastEventId. */
  events: Event[];
  putSteps: Step[];
  putHooks: Hook[];
  deleteHooks: Hook[];
  putWaits: Wait[];
  deleteWaits: Wait[];
  tokenClaims: TokenClaim[];
  tokenReleases: TokenRelease[];
}

export interface TokenClaim {
  token: string;
  hookId: string;
  runId: string;
  /** `absent`: nobody holds it; otherwise the holder being taken over (its run is terminal). */
  expect: { kind: 'absent' } | { kind: 'heldBy'; hookId: string };
}

export interface TokenRelease {
  token: string;
  hookId: string;
}

/** The entities an event result carries back to the runtime. */
export interface DecisionResult {
  event?: Event;
  run?: WorkflowRun;
  step?: Step;
  hook?: Hook;
  wait?: Wait;
  /** A step_started created its step (lazy step start): the caller won the create and owns the step. */
  stepCreated?: true;
}

export type Decision =
  | { type: 'commit'; commit: Commit; result: DecisionResult }
  /** Nothing to write (for example run_started on a running run). */
  | { type: 'reply'; result: DecisionResult }
  /** The contract's error for this request and state. */
  | { type: 'reject'; error: Error };

/** Everything non-deterministic the state machine needs, passed in so it stays pure. */
export interface DecisionContext {
  /** Current time, epoch ms. */
  now: number;
  /** Next event id: `evnt_<ULID>` with time `at`, strictly greater than `after`. */
  nextEventId(after: string | null, at: number): string;
  /** A new server-generated run id, `wrun_<ULID>`. */
  newRunId(at: number): string;
  /** Spec version the world declares (3). */
  worldSpecVersion: number;
  /** Whether the §2.6 `stateUpdatedAt` guard is on. */
  preconditionGuard: boolean;
  /**
   * Errors of run_failed, step_failed and step_retrying are stored as the
   * request carries them (the 5 line's serialized bytes), not as a
   * StructuredError. Absent: the 4.x line's StructuredError.
   */
  opaqueErrors?: boolean;
  /**
   * A step_started carrying `stepName` and `input` for a step that does not
   * exist creates it, born running (the 5 line's lazy step start). Absent:
   * such a step_started is refused like any other for a missing step.
   */
  lazyStepStart?: boolean;
  /**
   * run_created (and a run_started creating its run) may carry string
   * `attributes` (the 5 line's run lineage, `$parentRunId`/`$rootRunId`),
   * kept on the run and its run_created event. Absent: none are kept.
   */
  runAttributes?: boolean;
}

/** What a World line sets in the DecisionContext: its spec version, event ids and request semantics. */
export type EventSemantics = Pick<DecisionContext, 'worldSpecVersion' | 'nextEventId' | 'opaqueErrors' | 'lazyStepStart' | 'runAttributes' | 'preconditionGuard'>;
