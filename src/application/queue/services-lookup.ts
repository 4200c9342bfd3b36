// How the Lambda entry finds a world's queue services: the world carries them
// under a well-known symbol.
import type { QueueServices } from './queue-services.js';

export const QUEUE_SERVICES = Symbol.for('@workflow/world-aws//queue-services');

type Holder = { [QUEUE_SERVICES]?: QueueServices };

/** Attaches `services` to `world` (non-enumerable) so createLambdaHandler({ world }) can find them. */
export function attachQueueServices<T extends object>(world: T, services: QueueServices): T {
  Object.defineProperty(world, QUEUE_SERVICES, { value: services, enumerable: false });
  return world;
}

export function queueServicesOf(world: object): QueueServices | undefined {
  return (world as Holder)[QUEUE_SERVICES];
}
