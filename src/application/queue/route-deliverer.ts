// Delivery by calling the app's route handlers as functions (the POST exports
// of .well-known/workflow/v1/flow.js and step.js), as a Lambda does. The
// request is built and signed exactly as an HTTP delivery would be.
import type { Clock } from '../../ports/clock.js';
import { buildDeliveryRequest, DELIVERY_METHOD, readDeliveryResponse, workflowRouteUrl } from './delivery-protocol.js';
import { errorMessage } from '../../domain/errors.js';
import type { Deliverer } from './deliverer.js';

export type RouteHandler = (req: Request) => Promise<Response>;

export interface WorkflowRoutes {
  flow: RouteHandler;
  step: RouteHandler;
}

/** Only used to build a well-formed Request; nothing is sent over the network. */
const LOCAL_ORIGIN = 'http://127.0.0.1';

export function createRouteDeliverer(routes: WorkflowRoutes, signingSecret: string | undefined, clock: Clock): Deliverer {
  return {
    async deliver(envelope, attempt) {
      try {
        const request = buildDeliveryRequest(envelope, attempt, signingSecret, clock.now());
        const response = await routes[request.route](
          new Request(workflowRouteUrl(LOCAL_ORIGIN, request.route), { method: DELIVERY_METHOD, headers: request.headers, body: request.body }),
        );
        return await readDeliveryResponse(response);
      } catch (error) {
        return { kind: 'failed', reason: errorMessage(error) };
      }
    },
    async close() {},
  };
}
