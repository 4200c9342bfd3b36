// The environment a deployed world reads (see src/config/world-config.ts).
// Only names, URLs and modes: never credentials or signing secrets.
import type { ResourceNames } from '../../config/resource-names.js';
import { resolveWorldConfig } from '../../config/world-config.js';
import type { ServiceEndpoints } from '../aws/clients.js';

export interface WorldEnvInput {
  name: string;
  region: string;
  names: ResourceNames;
  queueUrls: { workflow: string; step: string };
  /** Set for the embedded local AWS. */
  endpoints?: Pick<ServiceEndpoints, 'dynamodb' | 'sqs' | 's3'>;
  consumer: 'process' | 'lambda' | 'none';
  delivery?: 'http' | 'in-process';
  baseUrl?: string;
}

/** Module the Workflow runtime loads as its World (WORKFLOW_TARGET_WORLD). */
export const WORLD_MODULE = '@workflow/world-aws';

export function worldEnv(input: WorldEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    WORKFLOW_TARGET_WORLD: WORLD_MODULE,
    WORKFLOW_AWS_NAME: input.name,
    AWS_REGION: input.region,
    WORKFLOW_AWS_RUNS_TABLE: input.names.tables.runs,
    WORKFLOW_AWS_STEPS_TABLE: input.names.tables.steps,
    WORKFLOW_AWS_EVENTS_TABLE: input.names.tables.events,
    WORKFLOW_AWS_HOOKS_TABLE: input.names.tables.hooks,
    WORKFLOW_AWS_STREAMS_TABLE: input.names.tables.streams,
    WORKFLOW_AWS_BUCKET: input.names.bucket,
    // The original spec's name for the bucket, so `cp .env.aws .env.local` serves apps written to the spec.
    WORKFLOW_AWS_STREAM_BUCKET: input.names.bucket,
    WORKFLOW_AWS_WORKFLOW_QUEUE_URL: input.queueUrls.workflow,
    WORKFLOW_AWS_STEP_QUEUE_URL: input.queueUrls.step,
    WORKFLOW_AWS_CONSUMER: input.consumer,
  };
  if (input.delivery) env.WORKFLOW_AWS_DELIVERY = input.delivery;
  if (input.baseUrl) env.WORKFLOW_AWS_BASE_URL = input.baseUrl;
  if (input.endpoints?.dynamodb) env.AWS_ENDPOINT_URL_DYNAMODB = input.endpoints.dynamodb;
  if (input.endpoints?.sqs) env.AWS_ENDPOINT_URL_SQS = input.endpoints.sqs;
  if (input.endpoints?.s3) {
    env.AWS_ENDPOINT_URL_S3 = input.endpoints.s3;
    env.WORKFLOW_AWS_S3_FORCE_PATH_STYLE = 'true';
  }
  return env;
}

/** Lambda sets AWS_REGION itself and rejects it as a function variable. */
const LAMBDA_RESERVED = new Set(['AWS_REGION']);

/** The function's environment: same world, consumed by the event-source mapping, delivered in-process. */
export function lambdaEnv(input: Omit<WorldEnvInput, 'consumer' | 'delivery' | 'baseUrl'>): Record<string, string> {
  const env = worldEnv({ ...input, consumer: 'lambda', delivery: 'in-process' });
  return Object.fromEntries(Object.entries(env).filter(([key]) => !LAMBDA_RESERVED.has(key)));
}

/**
 * The world's tunables with the defaults it would use, for .env.aws to list
 * commented out: together with worldEnv() that covers every setting of the
 * README's table except secrets, which belong in a secret store.
 */
export function tunableDefaults(name: string): Record<string, string> {
  const c = resolveWorldConfig({}, { WORKFLOW_AWS_NAME: name });
  return {
    WORKFLOW_AWS_DEPLOYMENT_ID: c.deploymentId,
    WORKFLOW_AWS_DELIVERY: c.delivery,
    WORKFLOW_AWS_BASE_URL: 'http://127.0.0.1:3000',
    WORKFLOW_AWS_CONCURRENCY: String(c.concurrency),
    WORKFLOW_AWS_MAX_DELAY_SECONDS: String(c.maxDelaySeconds),
    WORKFLOW_AWS_MAX_RECEIVE_COUNT: String(c.maxReceiveCount),
    WORKFLOW_AWS_RETRY_BASE_SECONDS: String(c.retryBaseSeconds),
    WORKFLOW_AWS_RETRY_MAX_SECONDS: String(c.retryMaxSeconds),
    WORKFLOW_AWS_VISIBILITY_SECONDS: String(c.visibilitySeconds),
    WORKFLOW_AWS_MAX_HANDLER_SECONDS: String(c.maxHandlerSeconds),
    WORKFLOW_AWS_MAX_MESSAGE_BYTES: String(c.maxMessageBytes),
    WORKFLOW_AWS_MAX_DELIVERY_BYTES: String(c.maxDeliveryBodyBytes),
    WORKFLOW_AWS_MAX_INLINE_BYTES: String(c.maxInlinePayloadBytes),
    WORKFLOW_AWS_RUN_RETENTION_DAYS: '30',
    WORKFLOW_AWS_IDEMPOTENCY_WINDOW_SECONDS: String(c.idempotencyWindowSeconds),
    WORKFLOW_PRECONDITION_GUARD: c.preconditionGuard ? '1' : '0',
    WORKFLOW_AWS_LOG_LEVEL: 'warn',
  };
}
