// What one events.createBatch may hold (@workflow/world 5, Storage.events.createBatch):
// no run_created, run_started, run_cancelled, hook_created, hook_disposed or
// attr_set; at most one event per entity, except a step_created followed by
// a step_started of the same step (the step born running), whose input rides
// the step_created. A batch that breaks these is refused whole (400).
import { WorkflowWorldError } from '@workflow/errors';

/** A batch event request as the runtime sends it (the 5 line's CreateEventRequest). */
export interface BatchRequest {
  eventType: string;
  correlationId?: string;
  eventData?: Record<string, unknown>;
}

const NOT_IN_BATCH = new Set(['run_created', 'run_started', 'run_cancelled', 'hook_created', 'hook_disposed', 'attr_set']);
const RUN_EVENTS = new Set(['run_completed', 'run_failed']);

const refuse = (message: string) => new WorkflowWorldError(`Invalid event batch: ${message}`, { status: 400 });

/** The entity an event changes: the run, or its step, hook or wait. */
export function entityOf(request: BatchRequest): string {
  if (RUN_EVENTS.has(request.eventType)) return 'run';
  const kind = request.eventType.slice(0, request.eventType.indexOf('_'));
  return `${kind}:${request.correlationId ?? ''}`;
}

/** Whether `requests[i]` is the step_started half of a born-running pair. */
export function isPairStart(requests: readonly BatchRequest[], i: number): boolean {
  const previous = requests[i - 1];
  const current = requests[i];
  return (
    previous !== undefined &&
    current?.eventType === 'step_started' &&
    previous.eventType === 'step_created' &&
    previous.correlationId === current.correlationId
  );
}

/** Throws the 400 for a batch that breaks the rules; returns nothing for a valid one. */
export function assertValidBatch(requests: readonly BatchRequest[]): void {
  if (!Array.isArray(requests)) throw refuse('expected an array of events');
  const seen = new Set<string>();
  requests.forEach((request, i) => {
    if (request === null || typeof request !== 'object' || typeof request.eventType !== 'string') {
      throw refuse(`event ${i} has no eventType`);
    }
    if (NOT_IN_BATCH.has(request.eventType)) throw refuse(`event ${i}: ${request.eventType} cannot be written in a batch`);
    if (request.eventType === 'step_started' && request.eventData?.input !== undefined) {
      throw refuse(`event ${i}: a batched step_started may not carry input (it rides the step_created)`);
    }
    const entity = entityOf(request);
    if (seen.has(entity) && !isPairStart(requests, i)) throw refuse(`event ${i}: more than one event for ${entity}`);
    seen.add(entity);
  });
}
