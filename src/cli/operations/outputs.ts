// outputs: the installation's resources and the environment a world needs.
import type { WorkflowLine } from '../../domain/workflow-line.js';
import type { CliContext } from '../base-command.js';
import { NotBootstrapped } from '../errors.js';
import { worldEnv } from '../output/world-env.js';
import { takeInventory, type ResourceEntry } from './inventory.js';

export interface OutputsResult {
  name: string;
  region: string;
  resources: ResourceEntry[];
  env: Record<string, string>;
}

/** Data resources (tables, queues, bucket) must all exist; the Lambda parts are optional (local installs have none). */
const REQUIRED_KINDS = new Set(['table', 'queue', 'dlq', 'bucket']);

export interface OutputsOptions {
  lambda: boolean;
  endpoints?: { dynamodb?: string; sqs?: string; s3?: string };
  /** The app's Workflow line: which facade WORKFLOW_TARGET_WORLD names (default 4). */
  line?: WorkflowLine;
}

export async function outputs(ctx: CliContext, options: OutputsOptions): Promise<OutputsResult> {
  const inventory = await takeInventory(ctx, { lambda: options.lambda });
  const missing = inventory.resources.filter((r) => REQUIRED_KINDS.has(r.kind) && !r.exists);
  if (missing.length > 0 || !inventory.queueUrls) {
    const list = missing.map((r) => `${r.kind} ${r.name}`);
    throw new NotBootstrapped(ctx.name, ctx.region, list.length > 3 ? `${list.slice(0, 3).join(', ')} and ${list.length - 3} more` : list.join(', '));
  }
  const env = worldEnv({
    name: ctx.name,
    region: ctx.region,
    names: ctx.names,
    queueUrls: inventory.queueUrls,
    endpoints: options.endpoints,
    consumer: inventory.hasFunction ? 'lambda' : 'process',
    ...(options.line ? { line: options.line } : {}),
  });
  return { name: ctx.name, region: ctx.region, resources: inventory.resources, env };
}
