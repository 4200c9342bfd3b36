// A world for one installation, built only to read it (runs, steps) through
// the world's public Storage API, so the CLI does not depend on how the tables
// lay runs out. It never consumes and never starts anything.
import type { CliContext } from '../base-command.js';
import { createWorld, type CreateWorldOptions } from '../../world/create-world.js';
import type { AwsWorld } from '../../world/assemble-world.js';

export function installationWorld(ctx: CliContext, queueUrls?: { workflow?: string; step?: string }): AwsWorld {
  useCliCredentials(ctx);
  return createWorld(installationWorldOptions(ctx, queueUrls));
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
