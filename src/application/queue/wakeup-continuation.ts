// A run's wake-up queued by one of its step handlers runs right after that
// handler returns, in this process, before the step's delivery is answered:
// no SQS message, no receive, no delete, no signed HTTP delivery (and so no
// replay claim). See docs/queue-protocol.md, "Wake-up continuations".
//
// Crash-safe because the step's own message is acknowledged only after the
// answer: if this process dies before the replay ran, the step message is
// redelivered, the runtime finds the step finished (`step_started` → 409) and
// queues the wake-up again. A wake-up whose replay does not finish cleanly
// (throws, asks for a later redelivery, no workflow handler here) is sent as a
// queue message after all, before the answer; if that send fails the step's
// delivery fails and is redelivered, with the same effect.
import { AsyncLocalStorage } from 'node:async_hooks';
import { processScope, token } from '../../process-scope.js';
import { asSelfWokenReplay, notSelfWoken } from '../storage/self-woken-replay.js';
import { decodeEnvelope, encodeEnvelope, hasPayloadRef, type Envelope } from './envelope.js';
import type { Dispatch } from './handler-registry.js';
import type { LocalCoordination } from './local-coordination.js';

/** A wake-up attached to the step delivery that queued it. */
interface AttachedWakeup {
  envelope: Envelope;
  /** Sends the wake-up as a queue message, due at `dueAt` (epoch ms) or now. */
  sendInstead: (dueAt?: number) => Promise<void>;
}

interface StepScope {
  runId: string;
  /** The workflow handler that would receive the run's wake-ups in this process. */
  lookup: (queueName: string) => Dispatch | undefined;
  /** False once the step handler returned: later wake-ups are sent as messages. */
  open: boolean;
  wakeups: AttachedWakeup[];
}

const SCOPE = token<AsyncLocalStorage<StepScope>>('wakeup-continuation-scope');

/** Process-wide (bundled routes may load their own copy of this module): process-scope.ts. */
function storage(): AsyncLocalStorage<StepScope> {
  return processScope().shared(SCOPE, () => new AsyncLocalStorage<StepScope>());
}

/**
 * Attaches a run's wake-up to the step delivery running in this async context,
 * if it belongs to the same run and the workflow handler is registered here.
 * Returns false when it must be sent as a queue message instead.
 */
export function attachWakeup(envelope: Envelope, sendInstead: (dueAt?: number) => Promise<void>): boolean {
  const scope = storage().getStore();
  if (!scope?.open) return false;
  const runId = (envelope.payload as { runId?: unknown } | null)?.runId;
  if (runId !== scope.runId || !scope.lookup(envelope.queueName)) return false;
  // The handler sees what a queue delivery would have decoded (dates as strings, bytes as Uint8Array).
  const decoded = decodeEnvelope(encodeEnvelope(envelope));
  if (hasPayloadRef(decoded)) return false;
  scope.wakeups.push({ envelope: decoded, sendInstead });
  return true;
}

export interface ContinuationDeps {
  lookup: (queueName: string) => Dispatch | undefined;
  local: LocalCoordination;
  now: () => number;
  /** Whether a continuation woken by its own step alone may start from this process's last commit (self-woken-replay.ts). */
  selfWokenReplays?: boolean;
}

/**
 * Runs a step handler with wake-up continuations: wake-ups of `runId` queued
 * while `work` runs are replayed here once it returns. If `work` throws, they
 * are sent as queue messages and the error is rethrown.
 */
export async function withWakeupContinuations<T>(
  step: { runId: string; messageId: string; finished: (result: T) => boolean },
  deps: ContinuationDeps,
  work: () => Promise<T>,
): Promise<T> {
  const { runId } = step;
  const scope: StepScope = { runId, lookup: deps.lookup, open: true, wakeups: [] };
  let result: T;
  try {
    result = await storage().run(scope, work);
  } catch (error) {
    scope.open = false;
    for (const wakeup of scope.wakeups) await wakeup.sendInstead();
    throw error;
  }
  scope.open = false;
  // A finished step's result is committed: counted now, or its own wake-up
  // would wait out a paced gap that waits for this very step (replay pacing).
  if (step.finished(result)) deps.local.pacing.stepDone(runId, step.messageId);
  // Several wake-ups attached to one step (each would have absorbed the next had they shared a coordination): none is this step's alone.
  const mayBeSelfWoken = deps.selfWokenReplays === true && scope.wakeups.length === 1;
  for (const wakeup of scope.wakeups) await runWakeup(runId, wakeup, deps, mayBeSelfWoken);
  return result;
}

async function runWakeup(runId: string, wakeup: AttachedWakeup, deps: ContinuationDeps, mayBeSelfWoken: boolean): Promise<void> {
  const { envelope } = wakeup;
  const dispatch = deps.lookup(envelope.queueName);
  let outcome: Awaited<ReturnType<Dispatch>> | undefined;
  if (dispatch) {
    try {
      // One replay of a run at a time in this process, as for queue deliveries.
      outcome = await deps.local.serialized(runId, () => {
        deps.local.began(envelope.id);
        const replay = () => dispatch(envelope, { attempt: 1 });
        // Woken only by this step's own commits: the replay may start from the log this process
        // committed, with no read. One that absorbed another wake-up reads the log.
        return mayBeSelfWoken && !deps.local.hasAbsorbed(envelope.id) ? asSelfWokenReplay(runId, replay) : notSelfWoken(replay);
      });
    } catch {
      outcome = undefined;
    }
  }
  if (outcome?.kind === 'done') {
    deps.local.finished(envelope.id);
    return;
  }
  const dueAt = outcome?.kind === 'reschedule' ? deps.now() + outcome.timeoutSeconds * 1000 : undefined;
  await wakeup.sendInstead(dueAt);
}
