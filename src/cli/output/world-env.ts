// The environment a deployed world reads (see src/config/world-config.ts).
// Only names, URLs and modes: never credentials or signing secrets.
import { TABLE_ROLES, type ResourceNames } from '../../config/resource-names.js';
import type { WorkflowLine } from '../../domain/workflow-line.js';
import { BUCKET_ENV, DEFAULT_MAX_RECEIVE_COUNT, ENDPOINT_ENV, envName, TABLE_ENV } from '../../config/settings.js';
import { SPEC_ENV_ALIASES } from '../../config/spec-names.js';
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
  /** The queues' redrive policy: written when not the default, so the world's own count agrees with SQS's. */
  maxReceiveCount?: number;
  /** The app's Workflow line: which facade WORKFLOW_TARGET_WORLD names. Default 4. */
  line?: WorkflowLine;
}

/** Module the Workflow runtime loads as its World (WORKFLOW_TARGET_WORLD). */
export const WORLD_MODULE = '@workflow/world-aws';
/** The facade of a workflow@5 app. */
export const WORLD_V5_MODULE = '@workflow/world-aws/v5';

export function worldEnv(input: WorldEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    WORKFLOW_TARGET_WORLD: input.line === '5' ? WORLD_V5_MODULE : WORLD_MODULE,
    [envName('name')]: input.name,
    [envName('region')]: input.region,
    ...Object.fromEntries(TABLE_ROLES.map((role) => [TABLE_ENV[role], input.names.tables[role]])),
    [BUCKET_ENV]: input.names.bucket,
    // The original spec's names too, so `cp .env.aws .env.local` serves apps written to the spec.
    ...Object.fromEntries(Object.entries(SPEC_ENV_ALIASES).filter(([, own]) => own === BUCKET_ENV).map(([spec]) => [spec, input.names.bucket])),
    [envName('workflowQueueUrl')]: input.queueUrls.workflow,
    [envName('stepQueueUrl')]: input.queueUrls.step,
    [envName('consumer')]: input.consumer,
  };
  if (input.delivery) env[envName('delivery')] = input.delivery;
  if (input.baseUrl) env[envName('baseUrl')] = input.baseUrl;
  if (input.maxReceiveCount !== undefined && input.maxReceiveCount !== DEFAULT_MAX_RECEIVE_COUNT) env[envName('maxReceiveCount')] = String(input.maxReceiveCount);
  Object.assign(env, endpointEnv(input.endpoints));
  return env;
}

/** The variables that point a world at local endpoints (the embedded local AWS); none for AWS itself. */
export function endpointEnv(endpoints?: Partial<Pick<ServiceEndpoints, 'dynamodb' | 'sqs' | 's3'>>): Record<string, string> {
  const env: Record<string, string> = {};
  if (endpoints?.dynamodb) env[ENDPOINT_ENV.dynamodb] = endpoints.dynamodb;
  if (endpoints?.sqs) env[ENDPOINT_ENV.sqs] = endpoints.sqs;
  if (endpoints?.s3) {
    env[ENDPOINT_ENV.s3] = endpoints.s3;
    env[envName('s3ForcePathStyle')] = 'true';
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
