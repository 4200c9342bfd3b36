// bootstrap: tables, queues, bucket (provisioning), then the worker role,
// its policy, the function and its two event-source mappings; finally the
// .env.aws file. Every step checks before it creates, so a second run (or a
// run after a partial failure) only adds what is missing.
import { provisionResources } from '../../infra/provisioning/index.js';
import type { CliContext } from '../base-command.js';
import { callerAccountId } from '../aws/bucket-name.js';
import { CliFailure } from '../errors.js';
import { accountIdFromArn, installationArns, partitionOf } from '../../infra/iam/arns.js';
import { lambdaPermissionPolicy } from '../../infra/iam/policy.js';
import { ensureRole, ensureRolePolicy } from '../../infra/iam/role.js';
import { ensureMapping } from '../../infra/lambda/event-sources.js';
import { ensureFunction } from '../../infra/lambda/function.js';
import { writeDotenv } from '../output/dotenv.js';
import { recording, type ResourceReport } from '../output/progress.js';
import { envName, tunableDefaults } from '../../config/settings.js';
import { encryptionKeyParameterName } from '../../config/resource-names.js';
import { ensureEncryptionKeyParameter } from '../../infra/ssm/encryption-key-parameter.js';
import { findFunction } from '../../infra/lambda/function.js';
import { lambdaEnv, worldEnv } from '../output/world-env.js';

/**
 * Secrets the function needs when the app has them set: the payload
 * encryption key, without which the worker cannot read what the app wrote.
 * It goes to an SSM SecureString parameter; the function gets the
 * parameter's name (kept on later runs from a shell without the key).
 */
const KEY_VARIABLE = 'WORKFLOW_AWS_ENCRYPTION_KEY';
const KEY_PARAMETER_VARIABLE = envName('encryptionKeyParameter');

/** The function secrets present in `env`, checked but never echoed. */
export function functionSecretsFrom(env: Record<string, string | undefined>): Record<string, string> {
  const secrets: Record<string, string> = {};
  const key = env.WORKFLOW_AWS_ENCRYPTION_KEY;
  if (key) {
    if (Buffer.from(key, 'base64').byteLength !== 32) {
      throw new CliFailure('WORKFLOW_AWS_ENCRYPTION_KEY must be a base64 32-byte key (its value is not shown).');
    }
    secrets.WORKFLOW_AWS_ENCRYPTION_KEY = key;
  }
  return secrets;
}

export interface BootstrapOptions {
  /** Create the role, function and mappings (off for the embedded local AWS, which has no Lambda). */
  lambda: boolean;
  /** true: every table; 'events': the event log only (the default); false: none. */
  pointInTimeRecovery: boolean | 'events';
  /** Where to write the dotenv file; undefined writes none. */
  envFile?: string;
  /** Local endpoints to put in the env (embedded local AWS). */
  endpoints?: { dynamodb?: string; sqs?: string; s3?: string };
  /** WORKFLOW_AWS_MAX_MESSAGE_BYTES: the queues' MaximumMessageSize. Default its default. */
  maxMessageBytes?: number;
  /** Secret variables for the function only (never printed or written to the env file). */
  functionSecrets?: Record<string, string>;
  /** The queues' redrive policy; also written to the env when it is not the default. */
  maxReceiveCount?: number;
}

export interface BootstrapResult {
  name: string;
  region: string;
  resources: ResourceReport[];
  functionArn?: string;
  roleArn?: string;
  env: Record<string, string>;
  envFile?: string;
}

export async function bootstrap(ctx: CliContext, options: BootstrapOptions): Promise<BootstrapResult> {
  const { clients, names } = ctx;
  const { progress, reports } = recording(ctx.progress);
  const { queues } = await provisionResources(clients, names, {
    onProgress: progress,
    onNote: ctx.note,
    sleep: ctx.sleep,
    pointInTimeRecovery: options.pointInTimeRecovery,
    maxReceiveCount: options.maxReceiveCount,
    ...(options.maxMessageBytes !== undefined ? { maxMessageBytes: options.maxMessageBytes } : {}),
  });
  const queueUrls = { workflow: queues.workflow.url, step: queues.step.url };
  const envInput = { name: ctx.name, region: ctx.region, names, queueUrls, endpoints: options.endpoints, maxReceiveCount: options.maxReceiveCount };

  let roleArn: string | undefined;
  let functionArn: string | undefined;
  if (options.lambda) {
    roleArn = await ensureRole(clients.iam, names.lambdaRole, ctx.name, progress, await callerAccountId(clients));
    const arns = installationArns(names, { partition: partitionOf(ctx.region), region: ctx.region, accountId: accountIdFromArn(roleArn) });
    await ensureRolePolicy(clients.iam, names.lambdaRole, lambdaPermissionPolicy(arns), progress);
    // A function made by an earlier version may hold the key itself: it moves to the parameter.
    const keyBase64 = options.functionSecrets?.[KEY_VARIABLE] ?? (await findFunction(clients.lambda, names.lambdaFunction))?.Environment?.Variables?.[KEY_VARIABLE];
    if (keyBase64) {
      await ensureEncryptionKeyParameter(clients.ssm, { name: encryptionKeyParameterName(names), installation: ctx.name, keyBase64 }, progress);
    }
    functionArn = await ensureFunction(
      clients.lambda,
      {
        functionName: names.lambdaFunction,
        roleArn,
        installation: ctx.name,
        environment: { ...lambdaEnv(envInput), ...(keyBase64 ? { [KEY_PARAMETER_VARIABLE]: encryptionKeyParameterName(names) } : {}) },
        preserve: [KEY_PARAMETER_VARIABLE],
      },
      progress,
      ctx.sleep,
    );
    for (const queue of [
      { name: names.workflowQueue, arn: queues.workflow.arn },
      { name: names.stepQueue, arn: queues.step.arn },
    ]) {
      await ensureMapping(clients.lambda, names.lambdaFunction, queue, progress, ctx.sleep);
    }
  }

  // With the function deployed, Lambda consumes; otherwise the app's own process does.
  const env = worldEnv({ ...envInput, consumer: options.lambda ? 'lambda' : 'process' });
  if (options.envFile) {
    await writeDotenv(options.envFile, env, {
      header: `Written by \`aws-workflow bootstrap\` for installation "${ctx.name}" in ${ctx.region}.\nNames and URLs only: credentials come from your AWS profile or role.`,
      commented: {
        heading: 'Optional settings (README, Configuration). The values shown are the defaults,\nexcept BASE_URL and RUN_RETENTION_DAYS, which have none: examples.',
        values: tunableDefaults(ctx.name),
      },
    });
  }
  return {
    name: ctx.name,
    region: ctx.region,
    resources: reports,
    ...(roleArn ? { roleArn } : {}),
    ...(functionArn ? { functionArn } : {}),
    env,
    ...(options.envFile ? { envFile: options.envFile } : {}),
  };
}
