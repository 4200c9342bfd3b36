// Delivery by direct call into the handler registered in this process. No
// request is built, so nothing can be forged and no signature is needed.
import type { Deliverer } from './deliverer.js';
import { errorMessage } from '../../domain/errors.js';
import type { HandlerRegistry } from './handler-registry.js';

export function createInProcessDeliverer(registry: HandlerRegistry): Deliverer {
  return {
    async deliver(envelope, attempt) {
      const dispatch = registry.lookup(envelope.queueName);
      if (!dispatch) {
        return {
          kind: 'failed',
          reason: 'no queue handler is registered in this process for this queue (import the workflow flow/step routes, or use HTTP delivery)',
        };
      }
      try {
        const outcome = await dispatch(envelope, { attempt });
        switch (outcome.kind) {
          case 'unhandled':
            return { kind: 'failed', reason: 'Unhandled queue' };
          case 'replayed':
            return { kind: 'failed', reason: 'the delivery lease reported a replay' };
          case 'abandoned':
            return { kind: 'failed', reason: `delivery abandoned (${outcome.reason})` };
          case 'duplicate':
            return { kind: 'done' };
          default:
            return outcome;
        }
      } catch (error) {
        return { kind: 'failed', reason: errorMessage(error) };
      }
    },
    async close() {},
  };
}
