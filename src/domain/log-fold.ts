// What a run's projections must be, from its log alone: the run, steps, hooks
// and waits its events leave. Each event is replayed through the state
// machine itself (`decideParsed`, with the event's own time and id), so the
// fold can never disagree with how commits build entities. An event the state
// machine refuses at its place in the log (a second step_started on a
// completed step) is reported, not applied: such a log cannot be replayed
// either.
import type { AnyEventRequest, Event, Hook, Step, Wait, WorkflowRun } from '@workflow/world';
import type { DecisionContext, RunRecord, Snapshot } from './model.js';
import { SPEC_VERSION_MAX_V5, v5Semantics } from './line-semantics.js';
import { eventIdToSlot } from './slot-ids.js';
import { decideParsed } from './state-machine/decide.js';
import { waitIdOf } from './state-machine/wait.js';

export interface RefusedEvent {
  eventId: string;
  eventType: string;
  correlationId?: string;
  /** Why the state machine refuses it there (the contract error's message). */
  reason: string;
}

export interface RunFold {
  /** Undefined when the log has no run_created. */
  run?: WorkflowRun;
  /** By id. */
  steps: Map<string, Step>;
  hooks: Map<string, Hook>;
  waits: Map<string, Wait>;
  /** Sequence number of the newest event (the run's eventCount). */
  eventCount: number;
  refused: RefusedEvent[];
}

/** Fields an event never carries back into a request: the rest is what was asked. */
const requestOf = (event: Event): AnyEventRequest => {
  const { runId: _run, eventId: _id, createdAt: _at, occurredAt: _occurred, ...request } = event as Event & { occurredAt?: Date };
  return request as unknown as AnyEventRequest;
};

/** The run attributes a run_created holds (the 5 line keeps them on it). */
const storedAttributes = (event: Event): Record<string, string> | undefined =>
  event.eventType === 'run_created' ? (event.eventData as { attributes?: Record<string, string> }).attributes : undefined;

/**
 * Folds `events` (one run's log, in commit order) into the entities they
 * leave. A log numbered by slot was written by the workflow@5 facade, and is
 * replayed with that line's semantics (its spec versions, opaque errors, run
 * attributes).
 */
export function foldRunLog(runId: string, events: readonly Event[], worldSpecVersion: number): RunFold {
  const fold: RunFold = { steps: new Map(), hooks: new Map(), waits: new Map(), eventCount: events.length, refused: [] };
  const line5 = events[0] !== undefined && eventIdToSlot(events[0].eventId) !== null ? v5Semantics(SPEC_VERSION_MAX_V5) : undefined;
  let record: RunRecord | undefined;
  for (const event of events) {
    // Written by the world, never requested: it changes no entity.
    if (event.eventType === 'hook_conflict') continue;
    const at = new Date(event.createdAt).getTime();
    const ctx: DecisionContext = {
      ...line5,
      now: at,
      nextEventId: () => event.eventId,
      newRunId: () => runId,
      worldSpecVersion: line5?.worldSpecVersion ?? worldSpecVersion,
      preconditionGuard: false,
    };
    const correlationId = event.correlationId;
    const snapshot: Snapshot = {
      run: event.eventType === 'run_created' ? undefined : record,
      runHooks: [...fold.hooks.values()],
      runWaits: [...fold.waits.values()],
    };
    if (correlationId !== undefined) {
      const step = fold.steps.get(correlationId);
      const hook = fold.hooks.get(correlationId);
      const wait = fold.waits.get(waitIdOf(runId, correlationId));
      if (step) snapshot.step = step;
      if (hook) snapshot.hook = hook;
      if (wait) snapshot.wait = wait;
    }
    const attributes = line5 ? storedAttributes(event) : undefined;
    const decision = decideParsed({ runId: event.eventType === 'run_created' ? null : runId, request: requestOf(event), snapshot, ctx, attributes });
    const made = decision.type === 'commit' ? decision.commit.events.at(-1)?.eventType : undefined;
    if (decision.type !== 'commit' || made !== event.eventType) {
      const reason = decision.type === 'reject' ? decision.error.message : decision.type === 'reply' ? 'nothing to record at this point' : `would record ${made}`;
      fold.refused.push({ eventId: event.eventId, eventType: event.eventType, ...(correlationId === undefined ? {} : { correlationId }), reason });
      continue;
    }
    const { commit } = decision;
    record = commit.run;
    for (const step of commit.putSteps) fold.steps.set(step.stepId, step);
    for (const hook of commit.deleteHooks) if (hook.runId === runId) fold.hooks.delete(hook.hookId);
    for (const hook of commit.putHooks) fold.hooks.set(hook.hookId, hook);
    for (const wait of commit.deleteWaits) fold.waits.delete(wait.waitId);
    for (const wait of commit.putWaits) fold.waits.set(wait.waitId, wait);
  }
  if (record) fold.run = record.run;
  return fold;
}
