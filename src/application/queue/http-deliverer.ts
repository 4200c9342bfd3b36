// Delivery by signed HTTP POST to the app's workflow routes. Uses Node's core
// HTTP client without deadlines: a delivery runs the handler inline and may be
// slow; the consumer keeps the message leased meanwhile.
import { createNodeHttpAgents, destroyNodeHttpAgents, nodeHttpFetch, type NodeHttpAgents } from '@workflow/world/node-http.js';
import type { Clock } from '../../ports/clock.js';
import { BaseUrlError, resolveDeliveryBaseUrl, type BaseUrlConfig } from './base-url.js';
import { buildDeliveryRequest, readDeliveryResponse, workflowRouteUrl } from './delivery-protocol.js';
import { errorMessage } from '../../domain/errors.js';
import type { Deliverer } from './deliverer.js';
import { isLoopbackUrl } from './loopback.js';

export interface HttpDelivererDeps {
  config: BaseUrlConfig & { signingSecret?: string };
  env: Record<string, string | undefined>;
  clock: Clock;
}

export function createHttpDeliverer(deps: HttpDelivererDeps): Deliverer {
  assertSignedUnlessLoopback(deps.config);
  let agents: NodeHttpAgents | undefined;
  return {
    async deliver(envelope, attempt, signal) {
      try {
        const url = resolveDeliveryBaseUrl(deps.config, deps.env);
        assertSignedUnlessLoopback({ ...deps.config, baseUrl: url });
        const request = buildDeliveryRequest(envelope, attempt, deps.config.signingSecret, deps.clock.now());
        agents ??= createNodeHttpAgents({ maxSockets: Infinity, keepAliveMs: 30_000 });
        const response = await nodeHttpFetch(workflowRouteUrl(url, request.route), {
          method: 'POST',
          headers: request.headers,
          body: request.body,
          agents,
          signal,
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

/** Without a shared secret the app can only verify this process's own deliveries, so they must stay on this host. */
function assertSignedUnlessLoopback(config: { baseUrl?: string; signingSecret?: string }): void {
  if (config.baseUrl !== undefined) assertHttpUrl(config.baseUrl);
  if (config.signingSecret || config.baseUrl === undefined || isLoopbackUrl(config.baseUrl)) return;
  throw new BaseUrlError(
    `Refusing to deliver queue messages unsigned to ${new URL(config.baseUrl).origin}: set WORKFLOW_AWS_SIGNING_SECRET (the same value on every process), or deliver to a loopback address`,
  );
}

/** A base URL Node's HTTP client can reach; anything else would fail every delivery with a raw TypeError. */
function assertHttpUrl(baseUrl: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(baseUrl).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol === 'http:' || protocol === 'https:') return;
  // The value itself is not echoed: a URL may carry credentials.
  const got = protocol ? `a ${protocol} URL` : 'no URL';
  throw new BaseUrlError(`WORKFLOW_AWS_BASE_URL (createWorld: baseUrl) must be an http:// or https:// URL, such as http://127.0.0.1:3000; got ${got}`);
}
