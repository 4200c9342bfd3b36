// Validates an event request against the contract's own schema. The reference
// worlds accept anything (§2.1.6); we answer a malformed request with a 400 so
// a caller bug never reaches the log.
import { CreateEventSchema, EventTypeSchema, type AnyEventRequest } from '@workflow/world';
import { badRequest } from '../errors.js';

export type EventType = AnyEventRequest['eventType'];
export type RequestOf<T extends EventType> = Extract<AnyEventRequest, { eventType: T }>;

/** The validated request (dates coerced, unknown keys stripped), or the 400 to answer with. */
export const parseRequest = (request: unknown): { request: AnyEventRequest } | { error: Error } => {
  const eventType = (request as { eventType?: unknown } | null)?.eventType;
  if (eventType === 'hook_conflict') {
    return { error: badRequest('Event type "hook_conflict" is created by the world and cannot be requested') };
  }
  if (!EventTypeSchema.safeParse(eventType).success) {
    return { error: badRequest(`Unknown event type ${JSON.stringify(eventType) ?? 'undefined'}`) };
  }
  const parsed = CreateEventSchema.safeParse(request);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(request)'}: ${issue.message}`)
      .join('; ');
    return { error: badRequest(`Invalid ${String(eventType)} event request: ${problems}`) };
  }
  // Entity ids are built from the correlation id, so an empty one would alias entities.
  if ('correlationId' in parsed.data && parsed.data.correlationId === '') {
    return { error: badRequest(`Invalid ${String(eventType)} event request: correlationId must not be empty`) };
  }
  return { request: parsed.data };
};
