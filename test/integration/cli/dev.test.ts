// dev: local AWS up, the installation provisioned, the environment printed;
// with --app-port a consumer runs here; SIGINT stops everything.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import Dev from '../../../src/cli/commands/dev.js';
import { resolveWorldConfig } from '../../../src/config/world-config.js';
import { resourceNames } from '../../../src/config/resource-names.js';
import { runCommand } from '../../unit/cli/helpers/run-command.js';

jest.setTimeout(60_000);

/** Runs `dev`, and once it printed its environment, checks it and sends SIGINT. */
async function runDev(argv: string[], whileRunning: (env: Record<string, string>) => Promise<void>) {
  const pending: Promise<void>[] = [];
  const ready = new Promise<Record<string, string>>((resolve) => {
    class Observed extends Dev {
      override logJson(json: unknown): void {
        resolve((json as { env: Record<string, string> }).env);
      }
    }
    pending.push(
      runCommand(Observed, [...argv, '--json']).then((run) => {
        expect(run.exitCode).toBe(0);
      }),
    );
  });
  const env = await ready;
  await whileRunning(env);
  process.emit('SIGINT');
  await Promise.all(pending);
  return env;
}

it('provisions into the local AWS, prints the environment, and stops on SIGINT', async () => {
  const savedKey = process.env.AWS_ACCESS_KEY_ID;
  const env = await runDev(['--name', 'devtest'], async (env) => {
    const dynamodb = new DynamoDBClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const tables = (await dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
    dynamodb.destroy();
    expect(tables.sort()).toEqual(Object.values(resourceNames('devtest').tables).sort());
  });
  const config = resolveWorldConfig({}, env);
  expect(config.resources).toEqual(resourceNames('devtest'));
  expect(config.consumer).toBe('process');
  expect(config.s3ForcePathStyle).toBe(true);
  expect(env.AWS_ENDPOINT_URL_DYNAMODB).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(process.env.AWS_ACCESS_KEY_ID).toBe(savedKey);
  // Stopped: the emulator no longer answers.
  const dynamodb = new DynamoDBClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
  await expect(dynamodb.send(new ListTablesCommand({}))).rejects.toThrow();
  dynamodb.destroy();
});

it('with --app-port and no signing secret generates one for the session and gives it to the app with its environment', async () => {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, signing: process.env.WORKFLOW_AWS_SIGNING_SECRET };
  delete process.env.WORKFLOW_AWS_SIGNING_SECRET;
  try {
    const env = await runDev(['--name', 'devnosecret', '--app-port', '3999'], async () => {});
    expect(env.WORKFLOW_AWS_SIGNING_SECRET).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(resolveWorldConfig({}, env).signingSecret).toBe(env.WORKFLOW_AWS_SIGNING_SECRET);
  } finally {
    restore('AWS_ACCESS_KEY_ID', saved.id);
    restore('AWS_SECRET_ACCESS_KEY', saved.secret);
    restore('WORKFLOW_AWS_SIGNING_SECRET', saved.signing);
  }
});

it('a secret the user set is never printed', async () => {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, signing: process.env.WORKFLOW_AWS_SIGNING_SECRET };
  process.env.WORKFLOW_AWS_SIGNING_SECRET = 'user-set-secret-0123456789abcdef0123';
  try {
    const env = await runDev(['--name', 'devownsecret', '--app-port', '3998'], async () => {});
    expect(env.WORKFLOW_AWS_SIGNING_SECRET).toBeUndefined();
  } finally {
    restore('AWS_ACCESS_KEY_ID', saved.id);
    restore('AWS_SECRET_ACCESS_KEY', saved.secret);
    restore('WORKFLOW_AWS_SIGNING_SECRET', saved.signing);
  }
});

it('a port in use names its flag', async () => {
  const taken: Server = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  try {
    const port = (taken.address() as AddressInfo).port;
    const run = await runCommand(Dev, ['--name', 'devport', '--dynamodb-port', String(port)]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`Port ${port} (--dynamodb-port) is already in use on 127.0.0.1`);
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});

it('WORKFLOW_AWS_MAX_RECEIVE_COUNT reaches the local queues\' redrive policy and the app\'s environment', async () => {
  const saved = process.env.WORKFLOW_AWS_MAX_RECEIVE_COUNT;
  process.env.WORKFLOW_AWS_MAX_RECEIVE_COUNT = '3';
  try {
    const env = await runDev(['--name', 'devmrc'], async (env) => {
      const { GetQueueAttributesCommand, SQSClient } = await import('@aws-sdk/client-sqs');
      const sqs = new SQSClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_SQS, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
      const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: env.WORKFLOW_AWS_WORKFLOW_QUEUE_URL, AttributeNames: ['RedrivePolicy'] }));
      sqs.destroy();
      expect(JSON.parse(attrs.Attributes!.RedrivePolicy!).maxReceiveCount).toBe(3);
    });
    expect(env.WORKFLOW_AWS_MAX_RECEIVE_COUNT).toBe('3');
  } finally {
    restore('WORKFLOW_AWS_MAX_RECEIVE_COUNT', saved);
  }
});

it('with --app-port runs the consumer here and tells the app not to consume', async () => {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, signing: process.env.WORKFLOW_AWS_SIGNING_SECRET };
  process.env.WORKFLOW_AWS_SIGNING_SECRET = 'dev-test-secret-0123456789abcdef';
  const app: Server = createServer((_req, res) => res.end());
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  try {
    const port = (app.address() as AddressInfo).port;
    const env = await runDev(['--name', 'devapp', '--app-port', String(port)], async () => {});
    expect(env.WORKFLOW_AWS_CONSUMER).toBe('none');
  } finally {
    await new Promise((resolve) => app.close(resolve));
    restore('AWS_ACCESS_KEY_ID', saved.id);
    restore('AWS_SECRET_ACCESS_KEY', saved.secret);
    restore('WORKFLOW_AWS_SIGNING_SECRET', saved.signing);
  }
});

function restore(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}

// Node 20 claims `--env-file <path>` anywhere in argv and exits 9 when the
// file does not exist; the flag is --write-env, tried here in a real process.
it('writes --write-env to a relative path that does not exist yet, in a real `aws-workflow dev` process', async () => {
  const { spawn } = await import('node:child_process');
  const { mkdtemp, readFile, rm, stat } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join, resolve } = await import('node:path');
  const cwd = await mkdtemp(join(tmpdir(), 'dev-write-env-'));
  const bin = resolve('bin/run.js');
  const child = spawn(process.execPath, [bin, 'dev', '--name', 'devfile', '--write-env', 'sub/dir/.env.dev'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const file = join(cwd, 'sub', 'dir', '.env.dev');
    const deadline = Date.now() + 45_000;
    while (!(await stat(file).catch(() => undefined))) {
      if (child.exitCode !== null) throw new Error(`dev exited ${child.exitCode} before writing the file: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`no ${file} after 45 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const text = await readFile(file, 'utf8');
    expect(text).toContain('WORKFLOW_AWS_NAME=devfile');
    expect(text).toContain('WORKFLOW_AWS_STREAM_BUCKET=devfile-payloads');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(cwd, { recursive: true, force: true });
  }
});
