// Process-wide map from queue prefix to the runtime's handler. The runtime
// creates its handlers on a world instance built at import time, while the
// consumer runs on the instance from getWorld(); the registry lets that
// consumer call the handlers directly, without HTTP. It lives in the process
// scope so every world instance, and copies of this module (bundled routes), share it.
import { parseQueueName, type ValidQueueName } from '@workflow/world';
import { processScope, token, type ProcessScope } from '../../process-scope.js';
import type { LifecycleAnswer } from './delivery-lifecycle.js';
import type { Envelope } from './envelope.js';

export type DispatchOutcome = LifecycleAnswer | { kind: 'unhandled' };

/** One delivery: the transport's attempt count, and the nonce that identifies it (its lease; random when omitted). */
export interface DeliveryIdentity {
  attempt: number;
  nonce?: string;
  /** Set when `nonce` already holds the message's lease (taken with its send claim: a step run in process). */
  leaseEndsAt?: number;
}

/** Calls the runtime's handler for one delivery through its lifecycle; throws what the handler throws. */
export type Dispatch = (envelope: Envelope, delivery: DeliveryIdentity) => Promise<DispatchOutcome>;

export interface HandlerRegistry {
  /** The latest registration for a prefix wins: every world instance registers the same runtime handler. */
  register(prefix: string, dispatch: Dispatch): void;
  /** The handler registered for the prefix of `queueName`, if any. */
  lookup(queueName: string): Dispatch | undefined;
}

const HANDLERS = token<Map<string, Dispatch>>('queue-handlers');

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
export function processHandlerRegistry(scope: ProcessScope = processScope()): HandlerRegistry {
  return createHandlerRegistry(scope.shared(HANDLERS, () => new Map()));
}
