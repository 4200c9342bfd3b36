// A world that consumes in this process and delivers over HTTP needs to know
// where the app listens. Without PORT or a base URL every delivery would fail
// and runs would stay pending for ever, so start() and queue() refuse instead.
// Resolved on each call until it succeeds once: PORT may be set after the
// world is created (frameworks set it when they listen).
import type { Queue } from '@workflow/world';
import { BaseUrlError, resolveDeliveryBaseUrl } from '../application/queue/base-url.js';
import { ConfigError, type WorldConfig } from '../config/world-config.js';

type Env = Record<string, string | undefined>;

export interface DeliveryTargetCheck {
  /** Throws ConfigError when HTTP deliveries from this process could not be addressed. */
  assert(): void;
  /** `queue` that runs the check first. */
  guard(queue: Queue['queue']): Queue['queue'];
}

export function deliveryTargetCheck(
  config: Pick<WorldConfig, 'consumer' | 'delivery' | 'baseUrl' | 'port'>,
  env: Env = process.env,
): DeliveryTargetCheck {
  let resolved = config.consumer !== 'process' || config.delivery !== 'http';
  const assert = (): void => {
    if (resolved) return;
    try {
      resolveDeliveryBaseUrl(config, env);
      resolved = true;
    } catch (error) {
      if (!(error instanceof BaseUrlError)) throw error;
      throw new ConfigError(
        'This world consumes its queues here (WORKFLOW_AWS_CONSUMER=process) and delivers over HTTP, but does not know where the app listens: ' +
          'set PORT or WORKFLOW_AWS_BASE_URL (createWorld: port or baseUrl) or WORKFLOW_LOCAL_BASE_URL, or choose WORKFLOW_AWS_DELIVERY=in-process, ' +
          'or WORKFLOW_AWS_CONSUMER=none in a process that only starts runs',
      );
    }
  };
  return {
    assert,
    guard: (queue) =>
      (async (...args: Parameters<Queue['queue']>) => {
        assert();
        return queue(...args);
      }) as Queue['queue'],
  };
}
