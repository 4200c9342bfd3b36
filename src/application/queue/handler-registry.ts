// Process-wide map from queue prefix to the runtime's handler. The runtime
// creates its handlers on a world instance built at import time, while the
// consumer runs on the instance from getWorld(); the registry lets that
// consumer call the handlers directly, without HTTP. It lives on globalThis so
// duplicate copies of this module (bundled routes) share it.
import { parseQueueName, type ValidQueueName } from '@workflow/world';
import type { Envelope } from './envelope.js';

export type DispatchOutcome = { kind: 'done' } | { kind: 'reschedule'; timeoutSeconds: number } | { kind: 'unhandled' };

/** Calls the runtime's handler for one delivery; throws what the handler throws. */
export type Dispatch = (envelope: Envelope, attempt: number) => Promise<DispatchOutcome>;

export interface HandlerRegistry {
  /** The latest registration for a prefix wins: every world instance registers the same runtime handler. */
  register(prefix: string, dispatch: Dispatch): void;
  /** The handler registered for the prefix of `queueName`, if any. */
  lookup(queueName: string): Dispatch | undefined;
}

const PROCESS_REGISTRY = Symbol.for('@workflow/world-aws//queue-handlers');

export function createHandlerRegistry(handlers = new Map<string, Dispatch>()): HandlerRegistry {
  return {
    register(prefix, dispatch) {
      handlers.set(prefix, dispatch);
    },
    lookup(queueName) {
      return handlers.get(parseQueueName(queueName as ValidQueueName).prefix);
    },
  };
}

/** The registry shared by every world instance in this process. */
export function processHandlerRegistry(): HandlerRegistry {
  const holder = globalThis as { [PROCESS_REGISTRY]?: Map<string, Dispatch> };
  holder[PROCESS_REGISTRY] ??= new Map();
  return createHandlerRegistry(holder[PROCESS_REGISTRY]);
}
