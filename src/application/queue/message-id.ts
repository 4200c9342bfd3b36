// Envelope ids: `msg_<ULID>`, the shape of the runtime's message ids.
import { newUlid } from '../../domain/ids.js';
import type { Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/id-source.js';

export const MESSAGE_ID_PREFIX = 'msg_';

export function newMessageId(clock: Clock, ids: IdSource): string {
  return newUlid(MESSAGE_ID_PREFIX, clock.now(), ids.randomBytes(10));
}
