// Delivery by signed HTTP POST to the app's workflow routes. Uses Node's core
// HTTP client without deadlines: a delivery runs the handler inline and may be
// slow; the consumer keeps the message leased meanwhile.
import { createNodeHttpAgents, destroyNodeHttpAgents, nodeHttpFetch, type NodeHttpAgents } from '@workflow/world/node-http.js';
import type { Clock } from '../../ports/clock.js';
import { resolveDeliveryBaseUrl, type BaseUrlConfig } from './base-url.js';
import { buildDeliveryRequest, readDeliveryResponse, workflowRouteUrl } from './delivery-protocol.js';
import { errorMessage, type Deliverer } from './deliverer.js';

export interface HttpDelivererDeps {
  config: BaseUrlConfig & { signingSecret?: string };
  env: Record<string, string | undefined>;
  clock: Clock;
}

export function createHttpDeliverer(deps: HttpDelivererDeps): Deliverer {
  let agents: NodeHttpAgents | undefined;
  return {
    async deliver(envelope, attempt) {
      try {
        const url = resolveDeliveryBaseUrl(deps.config, deps.env);
        const request = buildDeliveryRequest(envelope, attempt, deps.config.signingSecret, deps.clock.now());
        agents ??= createNodeHttpAgents({ maxSockets: Infinity, keepAliveMs: 30_000 });
        const response = await nodeHttpFetch(workflowRouteUrl(url, request.route), {
          method: 'POST',
          headers: request.headers,
          body: request.body,
          agents,
        });
        return await readDeliveryResponse(response);
      } catch (error) {
        return { kind: 'failed', reason: errorMessage(error) };
      }
    },
    async close() {
      if (agents) destroyNodeHttpAgents(agents);
      agents = undefined;
    },
  };
}
