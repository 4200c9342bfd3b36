// Configuration of one world instance. `readWorldConfig(env)` is what
// createWorld() uses when called with no arguments; the README's table lists
// every variable.
import { QUEUES, resourceNames, type ResourceNames } from '../adapters/aws/resources.js';
import { canonicalEnv, canonicalOptions, checkOptionKeys, type SpecOptionAliases } from './spec-names.js';

export type AdapterSet = 'aws' | 'memory';
/** Who consumes the queues: this process, AWS Lambda (event-source mapping), or nobody (producer only). */
export type ConsumerMode = 'process' | 'lambda' | 'none';
/** How a consumed message reaches the app's flow/step handlers. */
export type DeliveryMode = 'http' | 'in-process';

export interface WorldConfig {
  adapters: AdapterSet;
  /** Installation name: prefix of every resource name. */
  name: string;
  region: string;
  resources: ResourceNames;
  /** Queue URLs; derived from names when not given (resolved lazily with GetQueueUrl). */
  workflowQueueUrl?: string;
  stepQueueUrl?: string;
  /** Endpoint overrides for the embedded local AWS; the SDK also reads AWS_ENDPOINT_URL*. */
  endpoints: { dynamodb?: string; sqs?: string; s3?: string };
  s3ForcePathStyle: boolean;
  deploymentId: string;
  consumer: ConsumerMode;
  delivery: DeliveryMode;
  /** Base URL of the app serving /.well-known/workflow/v1/*, for HTTP delivery. */
  baseUrl?: string;
  port?: number;
  /** HMAC secret for signed HTTP deliveries. */
  signingSecret?: string;
  concurrency: number;
  /** Longest single queue delay; longer ones are chained (SQS: 900). */
  maxDelaySeconds: number;
  maxReceiveCount: number;
  /** Backoff for failed deliveries: base and cap, seconds. */
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  /** Visibility lease while a handler runs; extended while it is still running. */
  visibilitySeconds: number;
  /** A delivery running longer is presumed hung: its lease lapses and it is redelivered. */
  maxHandlerSeconds: number;
  /** Largest queue message body before it goes to S3. */
  maxMessageBytes: number;
  /** Largest HTTP delivery body the queue handler accepts (413 above it, unread). */
  maxDeliveryBodyBytes: number;
  /** Inline payload limit inside a DynamoDB item before it goes to S3. */
  maxInlinePayloadBytes: number;
  /** Days to keep terminal runs (DynamoDB TTL); undefined keeps them forever. */
  runRetentionDays?: number;
  /** Window within which a repeated idempotencyKey is not delivered again. */
  idempotencyWindowSeconds: number;
  preconditionGuard: boolean;
  /** 32-byte master key for per-run payload encryption; undefined stores payloads unencrypted. */
  encryptionKey?: Uint8Array;
}

export type WorldConfigInput = Partial<Omit<WorldConfig, 'resources' | 'endpoints' | 'encryptionKey'>> & {
  /** 32 bytes, raw or base64. */
  encryptionKey?: Uint8Array | string;
  resources?: Partial<Omit<ResourceNames, 'tables'>> & { tables?: Partial<ResourceNames['tables']> };
  endpoints?: WorldConfig['endpoints'];
} & SpecOptionAliases;

type Env = Record<string, string | undefined>;

/** Builds the config from environment variables, then applies explicit overrides. */
export function resolveWorldConfig(options: WorldConfigInput = {}, rawEnv: Env = process.env): WorldConfig {
  // The original spec's names are aliases (src/config/spec-names.ts).
  checkOptionKeys(options);
  const input = canonicalOptions(options);
  const env = canonicalEnv(rawEnv);
  const name = input.name ?? env.WORKFLOW_AWS_NAME ?? 'workflow';
  const defaults = resourceNames(name);
  const tables = {
    runs: env.WORKFLOW_AWS_RUNS_TABLE ?? defaults.tables.runs,
    steps: env.WORKFLOW_AWS_STEPS_TABLE ?? defaults.tables.steps,
    events: env.WORKFLOW_AWS_EVENTS_TABLE ?? defaults.tables.events,
    hooks: env.WORKFLOW_AWS_HOOKS_TABLE ?? defaults.tables.hooks,
    streams: env.WORKFLOW_AWS_STREAMS_TABLE ?? defaults.tables.streams,
    ...input.resources?.tables,
  };
  const resources: ResourceNames = {
    ...defaults,
    bucket: env.WORKFLOW_AWS_BUCKET ?? defaults.bucket,
    ...input.resources,
    tables,
  };
  const config: WorldConfig = {
    adapters: oneOf('WORKFLOW_AWS_ADAPTERS', input.adapters ?? env.WORKFLOW_AWS_ADAPTERS ?? 'aws', ['aws', 'memory'] as const),
    name,
    region: input.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    resources,
    workflowQueueUrl: input.workflowQueueUrl ?? env.WORKFLOW_AWS_WORKFLOW_QUEUE_URL,
    stepQueueUrl: input.stepQueueUrl ?? env.WORKFLOW_AWS_STEP_QUEUE_URL,
    endpoints: {
      dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL,
      sqs: env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL,
      s3: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL,
      ...input.endpoints,
    },
    s3ForcePathStyle: input.s3ForcePathStyle ?? flag('WORKFLOW_AWS_S3_FORCE_PATH_STYLE', env.WORKFLOW_AWS_S3_FORCE_PATH_STYLE, false),
    deploymentId: input.deploymentId ?? env.WORKFLOW_AWS_DEPLOYMENT_ID ?? `aws:${name}`,
    consumer: oneOf('WORKFLOW_AWS_CONSUMER', input.consumer ?? env.WORKFLOW_AWS_CONSUMER ?? 'process', ['process', 'lambda', 'none'] as const),
    delivery: oneOf('WORKFLOW_AWS_DELIVERY', input.delivery ?? env.WORKFLOW_AWS_DELIVERY ?? 'http', ['http', 'in-process'] as const),
    baseUrl: input.baseUrl ?? env.WORKFLOW_AWS_BASE_URL,
    port: input.port ?? optionalInt('PORT', env.PORT),
    signingSecret: input.signingSecret ?? env.WORKFLOW_AWS_SIGNING_SECRET,
    concurrency: input.concurrency ?? int('WORKFLOW_AWS_CONCURRENCY', env.WORKFLOW_AWS_CONCURRENCY, 10, 1, 1000),
    maxDelaySeconds: input.maxDelaySeconds ?? int('WORKFLOW_AWS_MAX_DELAY_SECONDS', env.WORKFLOW_AWS_MAX_DELAY_SECONDS, 900, 1, 900),
    maxReceiveCount: input.maxReceiveCount ?? int('WORKFLOW_AWS_MAX_RECEIVE_COUNT', env.WORKFLOW_AWS_MAX_RECEIVE_COUNT, QUEUES.maxReceiveCount, 1, 1000),
    retryBaseSeconds: input.retryBaseSeconds ?? int('WORKFLOW_AWS_RETRY_BASE_SECONDS', env.WORKFLOW_AWS_RETRY_BASE_SECONDS, 1, 0, 900),
    retryMaxSeconds: input.retryMaxSeconds ?? int('WORKFLOW_AWS_RETRY_MAX_SECONDS', env.WORKFLOW_AWS_RETRY_MAX_SECONDS, 900, 1, 43200),
    visibilitySeconds: input.visibilitySeconds ?? int('WORKFLOW_AWS_VISIBILITY_SECONDS', env.WORKFLOW_AWS_VISIBILITY_SECONDS, 60, 1, 43200),
    maxHandlerSeconds: input.maxHandlerSeconds ?? int('WORKFLOW_AWS_MAX_HANDLER_SECONDS', env.WORKFLOW_AWS_MAX_HANDLER_SECONDS, 900, 1, 43200),
    maxMessageBytes: input.maxMessageBytes ?? int('WORKFLOW_AWS_MAX_MESSAGE_BYTES', env.WORKFLOW_AWS_MAX_MESSAGE_BYTES, 256 * 1024, 1024, 1024 * 1024),
    maxDeliveryBodyBytes:
      input.maxDeliveryBodyBytes ??
      int('WORKFLOW_AWS_MAX_DELIVERY_BYTES', env.WORKFLOW_AWS_MAX_DELIVERY_BYTES, 1024 * 1024 + 64 * 1024, 1024, 64 * 1024 * 1024),
    maxInlinePayloadBytes:
      input.maxInlinePayloadBytes ?? int('WORKFLOW_AWS_MAX_INLINE_BYTES', env.WORKFLOW_AWS_MAX_INLINE_BYTES, 64 * 1024, 0, 350 * 1024),
    runRetentionDays: input.runRetentionDays ?? optionalInt('WORKFLOW_AWS_RUN_RETENTION_DAYS', env.WORKFLOW_AWS_RUN_RETENTION_DAYS),
    idempotencyWindowSeconds:
      input.idempotencyWindowSeconds ?? int('WORKFLOW_AWS_IDEMPOTENCY_WINDOW_SECONDS', env.WORKFLOW_AWS_IDEMPOTENCY_WINDOW_SECONDS, 3600, 0, 7 * 86400),
    preconditionGuard: input.preconditionGuard ?? flag('WORKFLOW_PRECONDITION_GUARD', env.WORKFLOW_PRECONDITION_GUARD, true),
    encryptionKey: masterKey(input.encryptionKey ?? env.WORKFLOW_AWS_ENCRYPTION_KEY),
  };
  return config;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function masterKey(raw: Uint8Array | string | undefined): Uint8Array | undefined {
  if (raw === undefined || raw === '') return undefined;
  const key = typeof raw === 'string' ? new Uint8Array(Buffer.from(raw, 'base64')) : raw;
  if (key.byteLength !== 32) {
    throw new ConfigError(`WORKFLOW_AWS_ENCRYPTION_KEY must be 32 bytes (base64); got ${key.byteLength} bytes`);
  }
  return key;
}

function oneOf<T extends string>(key: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${key} must be one of ${allowed.join(', ')}; got "${value}"`);
}

function int(key: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${key} must be an integer from ${min} to ${max}; got "${raw}"`);
  }
  return n;
}

function optionalInt(key: string, raw: string | undefined): number | undefined {
  return raw === undefined || raw === '' ? undefined : int(key, raw, 0, 0, Number.MAX_SAFE_INTEGER);
}

function flag(key: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${key} must be 1/0 or true/false; got "${raw}"`);
}
