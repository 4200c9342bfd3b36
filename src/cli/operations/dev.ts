// dev: the embedded local AWS with one installation provisioned in it, the
// environment an app needs to use it, and optionally the queue consumer in
// this process delivering to the app over HTTP. Runs until `signal` aborts.
import { randomBytes } from 'node:crypto';
import type { LocalAws, LocalAwsOptions } from '../../infra/local-aws/index.js';
import type { WorkflowLine } from '../../domain/workflow-line.js';
import { createWorld, type CreateWorldOptions } from '../../world/create-world.js';
import { createWorld as createWorldV5 } from '../../world-v5/create-world.js';
import { envName } from '../../config/settings.js';
import { CliFailure } from '../errors.js';
import type { Progress } from '../output/progress.js';
import { worldEnv } from '../output/world-env.js';

export interface DevOptions {
  name: string;
  region: string;
  dynamodbPort?: number;
  sqsS3Port?: number;
  /** When set, this process consumes both queues and POSTs to http://127.0.0.1:<appPort>. */
  appPort?: number;
  /** The queues' redrive policy. Default: the setting's default. */
  maxReceiveCount?: number;
  /** Shared with the app for --app-port deliveries. Default: WORKFLOW_AWS_SIGNING_SECRET. */
  signingSecret?: string;
  /** The app's Workflow line: the facade the env names and the --app-port consumer is. Default 4. */
  line?: WorkflowLine;
  progress: Progress;
  /** Aborting stops the consumer and the emulators. */
  signal: AbortSignal;
  /** Called once everything is up, with the environment the app should use. */
  onReady(ready: DevReady): void | Promise<void>;
}

export interface DevReady {
  endpoints: LocalAws['endpoints'];
  env: Record<string, string>;
  consumer: 'cli' | 'app';
  baseUrl?: string;
  /** --app-port without WORKFLOW_AWS_SIGNING_SECRET: a secret made for this session, in `env` for the app. */
  generatedSecret?: boolean;
}

export interface DevDeps {
  startLocalAws(options: LocalAwsOptions): Promise<LocalAws>;
  createWorld(options: CreateWorldOptions): { start(): Promise<void>; close(): Promise<void> };
  /** The 5 facade's, for a workflow@5 app. */
  createWorldV5?(options: CreateWorldOptions): { start(): Promise<void>; close(): Promise<void> };
}

const defaultDeps: DevDeps = {
  // Loaded on use: the emulators are optional, and their absence should fail `dev` with the install command, not every command.
  startLocalAws: async (options) => {
    const local = await import('../../infra/local-aws/index.js').catch((error: Error) => {
      throw error.name === 'EmulatorsMissing' ? new CliFailure(error.message) : error;
    });
    return local.startLocalAws(options);
  },
  createWorld,
  createWorldV5,
};

export async function dev(options: DevOptions, deps: DevDeps = defaultDeps): Promise<void> {
  // The app is another process: without a shared secret its routes refuse this
  // process's deliveries (an unset secret signs with a key private to one
  // process). None set: one is made for this session and given to the app
  // with the rest of its environment.
  const configured = options.signingSecret ?? process.env[envName('signingSecret')];
  const signingSecret = options.appPort !== undefined ? configured || randomBytes(32).toString('base64url') : undefined;
  const generatedSecret = options.appPort !== undefined && !configured;
  const local = await deps
    .startLocalAws({
      name: options.name,
      region: options.region,
      dynamodbPort: options.dynamodbPort,
      sqsS3Port: options.sqsS3Port,
      onProgress: options.progress,
      ...(options.maxReceiveCount !== undefined ? { maxReceiveCount: options.maxReceiveCount } : {}),
    })
    .catch((error: unknown) => {
      throw portInUse(error, options) ?? error;
    });
  let world: { close(): Promise<void> } | undefined;
  try {
    const baseUrl = options.appPort !== undefined ? `http://127.0.0.1:${options.appPort}` : undefined;
    const env = {
      ...worldEnv({
        name: options.name,
        region: local.region,
        names: local.names,
        queueUrls: { workflow: local.queueUrls.workflow, step: local.queueUrls.step },
        endpoints: local.endpoints,
        // With --app-port this process consumes; otherwise the app's own world does.
        consumer: baseUrl ? 'none' : 'process',
        maxReceiveCount: options.maxReceiveCount,
        line: options.line ?? '4',
      }),
      // The emulators' fixed dummy keys: they only check that requests are signed.
      AWS_ACCESS_KEY_ID: local.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: local.credentials.secretAccessKey,
      // Only one made here: a secret the user set is never printed.
      ...(generatedSecret && signingSecret ? { [envName('signingSecret')]: signingSecret } : {}),
    };
    if (baseUrl) {
      // The world's clients take credentials from the default chain; point it at the emulators' keys.
      process.env.AWS_ACCESS_KEY_ID = local.credentials.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = local.credentials.secretAccessKey;
      delete process.env.AWS_SESSION_TOKEN;
      const create = options.line === '5' ? (deps.createWorldV5 ?? createWorldV5) : deps.createWorld;
      const consumer = create({
        name: options.name,
        region: local.region,
        endpoints: local.endpoints,
        s3ForcePathStyle: true,
        workflowQueueUrl: local.queueUrls.workflow,
        stepQueueUrl: local.queueUrls.step,
        consumer: 'process',
        delivery: 'http',
        baseUrl,
        signingSecret,
        ...(options.maxReceiveCount !== undefined ? { maxReceiveCount: options.maxReceiveCount } : {}),
      });
      world = consumer;
      await consumer.start();
    }
    await options.onReady({
      endpoints: local.endpoints,
      env,
      consumer: baseUrl ? 'cli' : 'app',
      ...(baseUrl ? { baseUrl } : {}),
      ...(generatedSecret ? { generatedSecret } : {}),
    });
    await untilAborted(options.signal);
  } finally {
    // The consumer drains in-flight deliveries before the emulators go away.
    await world?.close().catch(() => undefined);
    await local.stop();
  }
}

/** A port flag whose port is taken: name the flag, not only the port. */
function portInUse(error: unknown, options: Pick<DevOptions, 'dynamodbPort' | 'sqsS3Port'>): CliFailure | undefined {
  const e = error as { code?: unknown; port?: unknown; message?: unknown } | undefined;
  if (e?.code !== 'EADDRINUSE') return undefined;
  const port = typeof e.port === 'number' ? e.port : Number(/:(\d+)\s*$/.exec(String(e.message ?? ''))?.[1]);
  const flag = port && port === options.dynamodbPort ? '--dynamodb-port' : port && port === options.sqsS3Port ? '--sqs-port' : undefined;
  return new CliFailure(
    flag
      ? `Port ${port} (${flag}) is already in use on 127.0.0.1: pass another ${flag}, or leave it out for any free port (another \`aws-workflow dev\` may be running: \`aws-workflow status --local\`).`
      : `A port is already in use on 127.0.0.1 (${String(e.message)}): pass other --dynamodb-port/--sqs-port values, or leave them out for any free port.`,
  );
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
