// A world for one installation, built only to read it (runs, steps) through
// the world's public Storage API, so the CLI does not depend on how the tables
// lay runs out. It never consumes and never starts anything.
import type { World } from '@workflow/world';
import { isMissingTable } from '../../adapters/aws/aws-errors.js';
import { DynamoDbWorkflowLineMarker } from '../../adapters/aws/dynamodb/workflow-line-marker.js';
import type { WorkflowLine } from '../../domain/workflow-line.js';
import type { CliContext } from '../base-command.js';
import { createWorld, type CreateWorldOptions } from '../../world/create-world.js';
import type { AwsWorld } from '../../world/assemble-world.js';
import { createWorld as createWorldV5 } from '../../world-v5/create-world.js';

/** For reads: runs and steps as the 4.x facade serves them (one storage schema for both lines). */
export function installationWorld(ctx: CliContext, queueUrls?: { workflow?: string; step?: string }): AwsWorld {
  useCliCredentials(ctx);
  return createWorld(installationWorldOptions(ctx, queueUrls));
}

/** What `repair` needs of a world: the active runs, and a queue its line's runtime consumes. */
export type SendingWorld = Pick<World, 'runs' | 'queue'> & { close(): Promise<void> };

/**
 * A world of the line the installation serves, for commands that send
 * messages (the other line's facade is refused by the line marker). No line
 * recorded yet: the 4.x facade (whose first message records line 4).
 */
export async function installationWorldOfLine(ctx: CliContext): Promise<{ line: WorkflowLine | undefined; world: SendingWorld }> {
  useCliCredentials(ctx);
  const line = await installationLine(ctx);
  const options = installationWorldOptions(ctx);
  // The 5 facade's runs.list and queue take what repair sends (a status, `{ runId }`): the same calls as 4.x.
  const world = line === '5' ? (createWorldV5(options) as unknown as SendingWorld) : createWorld(options);
  return { line, world };
}

/** The line the installation's first app recorded; undefined before any (or without a steps table). */
export async function installationLine(ctx: Pick<CliContext, 'clients' | 'names'>): Promise<WorkflowLine | undefined> {
  try {
    return await new DynamoDbWorkflowLineMarker(ctx.clients.dynamodb, ctx.names.tables.steps).read();
  } catch (error) {
    if (isMissingTable((error as { cause?: unknown }).cause ?? error)) return undefined;
    throw error;
  }
}

/** The world's clients use the default credential chain: hand it the CLI's choice. */
export function useCliCredentials(ctx: Pick<CliContext, 'clientOptions'>): void {
  if (ctx.clientOptions.credentials) {
    process.env.AWS_ACCESS_KEY_ID = ctx.clientOptions.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = ctx.clientOptions.credentials.secretAccessKey;
    delete process.env.AWS_SESSION_TOKEN;
  }
  if (ctx.clientOptions.profile) process.env.AWS_PROFILE = ctx.clientOptions.profile;
}

/** What the CLI decides of the world it reads with; the rest (table names too) comes from the environment, as in the app. */
export function installationWorldOptions(
  ctx: Pick<CliContext, 'name' | 'region' | 'names' | 'clientOptions'>,
  queueUrls?: { workflow?: string; step?: string },
): CreateWorldOptions {
  const endpoints = ctx.clientOptions.endpoints;
  const { tables: _fromName, ...names } = ctx.names;
  return {
    name: ctx.name,
    region: ctx.region,
    resources: names,
    consumer: 'none',
    ...(endpoints ? { endpoints: { dynamodb: endpoints.dynamodb, sqs: endpoints.sqs, s3: endpoints.s3 }, s3ForcePathStyle: Boolean(endpoints.s3) } : {}),
    ...(queueUrls?.workflow ? { workflowQueueUrl: queueUrls.workflow } : {}),
    ...(queueUrls?.step ? { stepQueueUrl: queueUrls.step } : {}),
  };
}
