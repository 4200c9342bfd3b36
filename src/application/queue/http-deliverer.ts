// Delivery by signed HTTP POST to the app's workflow routes. Uses Node's core
// HTTP client without deadlines: a delivery runs the handler inline and may be
// slow; the consumer keeps the message leased meanwhile.
import { createNodeHttpAgents, destroyNodeHttpAgents, nodeHttpFetch, type NodeHttpAgents } from '@workflow/world/node-http.js';
import type { Clock } from '../../ports/clock.js';
import { BaseUrlError, resolveDeliveryBaseUrl, type BaseUrlConfig } from './base-url.js';
import { buildDeliveryRequest, DELIVERY_METHOD, readDeliveryResponse, workflowRouteUrl } from './delivery-protocol.js';
import { errorMessage } from '../../domain/errors.js';
import type { Deliverer } from './deliverer.js';
import { isLoopbackUrl } from './loopback.js';

export interface HttpDelivererDeps {
  config: BaseUrlConfig & { signingSecret?: string; allowPlainHttp?: boolean };
  env: Record<string, string | undefined>;
  clock: Clock;
}

export function createHttpDeliverer(deps: HttpDelivererDeps): Deliverer {
  assertSafeTarget(deps.config);
  let agents: NodeHttpAgents | undefined;
  return {
    async deliver(envelope, attempt, signal) {
      try {
        const url = resolveDeliveryBaseUrl(deps.config, deps.env);
        assertSafeTarget({ ...deps.config, baseUrl: url });
        const request = buildDeliveryRequest(envelope, attempt, deps.config.signingSecret, deps.clock.now());
        agents ??= createNodeHttpAgents({ maxSockets: Infinity, keepAliveMs: 30_000 });
        const response = await nodeHttpFetch(workflowRouteUrl(url, request.route), {
          method: DELIVERY_METHOD,
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

/**
 * Deliveries leave this host only signed with a shared secret (without one the
 * app can verify only this process's own deliveries) and only over https
 * (signing hides nothing: payloads would travel in clear text), unless
 * WORKFLOW_AWS_ALLOW_PLAIN_HTTP says the network is private.
 */
function assertSafeTarget(config: { baseUrl?: string; signingSecret?: string; allowPlainHttp?: boolean }): void {
  if (config.baseUrl === undefined) return;
  assertHttpUrl(config.baseUrl);
  if (isLoopbackUrl(config.baseUrl)) return;
  const origin = new URL(config.baseUrl).origin;
  if (!config.signingSecret) {
    throw new BaseUrlError(
      `Refusing to deliver queue messages unsigned to ${origin}: set WORKFLOW_AWS_SIGNING_SECRET (the same value on every process), or deliver to a loopback address`,
    );
  }
  if (new URL(config.baseUrl).protocol === 'http:' && !config.allowPlainHttp) {
    throw new BaseUrlError(
      `Refusing to deliver queue messages over plain http to ${origin}: payloads would cross the network unencrypted (the signature only proves the sender). ` +
        'Use an https:// WORKFLOW_AWS_BASE_URL, or set WORKFLOW_AWS_ALLOW_PLAIN_HTTP=1 on a private network you trust',
    );
  }
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
