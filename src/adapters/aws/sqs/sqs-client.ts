// The SQS client and queue targets of one installation, from config.
import { SQSClient } from '@aws-sdk/client-sqs';
import type { WorldConfig } from '../../../config/world-config.js';
import type { QueueChannel } from '../../../ports/message-queue.js';
import type { QueueTarget } from './queue-url-resolver.js';

/**
 * Region and endpoint come from config; credentials are left to the SDK's
 * default provider chain (env, profile, container/instance role). An explicit
 * endpoint also keeps the SDK from switching to the host named in a queue URL,
 * which for local emulators does not resolve.
 */
export function createSqsClient(config: Pick<WorldConfig, 'region' | 'endpoints'>): SQSClient {
  return new SQSClient({
    region: config.region,
    ...(config.endpoints.sqs ? { endpoint: config.endpoints.sqs } : {}),
  });
}

/** Configured URLs win; otherwise the installation's queue names, resolved on first use. */
export function queueTargets(
  config: Pick<WorldConfig, 'workflowQueueUrl' | 'stepQueueUrl' | 'resources'>,
): Record<QueueChannel, QueueTarget> {
  return {
    workflow: config.workflowQueueUrl ? { url: config.workflowQueueUrl } : { name: config.resources.workflowQueue },
    step: config.stepQueueUrl ? { url: config.stepQueueUrl } : { name: config.resources.stepQueue },
  };
}
