// Each misconfiguration a newcomer meets, on the embedded local AWS with the
// real SDK: start() fails at once with a message naming the resource or the
// variable and the fix, instead of a server that answers 500 later.
import { startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';
import { createWorld } from '../../../src/index.js';
import { RecordingLogger } from '../../unit/application/queue/harness.js';

let local: LocalAws;
const saved = { ...process.env };

beforeAll(async () => {
  local = await startLocalAws({ name: 'misconf' });
});
afterAll(async () => {
  await local.stop();
});
beforeEach(() => {
  process.env = { ...saved, ...local.env, WORKFLOW_AWS_CONSUMER: 'process', WORKFLOW_AWS_DELIVERY: 'in-process', WORKFLOW_AWS_LOG_LEVEL: 'silent' };
});
afterEach(() => {
  process.env = saved;
});

async function startError(): Promise<{ message: string; ms: number }> {
  const world = createWorld();
  const started = performance.now();
  try {
    await world.start();
    return { message: '', ms: performance.now() - started };
  } catch (error) {
    return { message: (error as Error).message, ms: performance.now() - started };
  } finally {
    await world.close();
  }
}

it('a correct installation starts', async () => {
  expect((await startError()).message).toBe('');
});

it('a missing table: names it, the variable that named it and the command that creates it', async () => {
  process.env.WORKFLOW_AWS_RUNS_TABLE = 'missing-runs';
  const { message } = await startError();
  expect(message).toContain('table "missing-runs" (runs) does not exist; set by WORKFLOW_AWS_RUNS_TABLE');
  expect(message).toContain('`aws-workflow dev --name misconf`');
  // dev makes `misconf-runs`, not the name the variable gives: correcting the variable is the other fix.
  expect(message).toContain('or point the variables above at its resources (the environment it prints)');
});

it('a missing queue (a URL from an earlier dev): names the URL variable', async () => {
  process.env.WORKFLOW_AWS_STEP_QUEUE_URL = local.queueUrls.step.replace('misconf-step', 'gone-step');
  const { message } = await startError();
  expect(message).toMatch(/queue "[^"]*gone-step" \(step\) does not exist; set by WORKFLOW_AWS_STEP_QUEUE_URL/);
});

it('a missing bucket: names WORKFLOW_AWS_BUCKET', async () => {
  process.env.WORKFLOW_AWS_BUCKET = 'no-such-bucket';
  const { message } = await startError();
  expect(message).toContain('bucket "no-such-bucket" (payloads) does not exist; set by WORKFLOW_AWS_BUCKET');
});

it('another installation name than dev provisioned: names WORKFLOW_AWS_NAME', async () => {
  process.env.WORKFLOW_AWS_NAME = 'other';
  delete process.env.WORKFLOW_AWS_WORKFLOW_QUEUE_URL;
  delete process.env.WORKFLOW_AWS_STEP_QUEUE_URL;
  const { message } = await startError();
  expect(message).toContain('table "other-runs" (runs) does not exist; named after the installation (WORKFLOW_AWS_NAME=other)');
  expect(message).toContain('queue "other-workflow" (workflow) does not exist');
});

it('no credentials: says so once, with the variables to set', async () => {
  for (const v of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[v];
  Object.assign(process.env, { AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config', AWS_EC2_METADATA_DISABLED: 'true' });
  const { message } = await startError();
  const lines = message.split('\n').filter((l) => l.startsWith('- '));
  expect(lines.every((l) => l.includes('AWS credentials are missing or invalid'))).toBe(true);
  expect(message).toContain('set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
});

it('an endpoint nobody answers at (dev stopped): names the endpoint variable', async () => {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = 'http://127.0.0.1:9';
  const { message } = await startError();
  expect(message).toContain('nothing answers at the DynamoDB endpoint 127.0.0.1:9 (ECONNREFUSED): check AWS_ENDPOINT_URL_DYNAMODB');
});

it('queue() fails the same way before anything is sent, for a process that never calls start()', async () => {
  process.env.WORKFLOW_AWS_HOOKS_TABLE = 'missing-hooks';
  const world = createWorld();
  await expect(world.queue('__wkf_workflow_x' as never, { runId: 'wrun_x' } as never)).rejects.toThrow(/table "missing-hooks" \(hooks\) does not exist/);
  await world.close();
});

describe('a wrong AWS_REGION (the emulators ignore the region, so nothing fails)', () => {
  async function warningsOnStart(): Promise<string[]> {
    const logger = new RecordingLogger();
    const world = createWorld({ overrides: { logger } });
    try {
      await world.start();
    } finally {
      await world.close();
    }
    return logger.at('warn').map((e) => e.message);
  }

  it('the region dev provisioned in: no warning', async () => {
    expect(process.env.AWS_REGION).toBe(local.region);
    expect(await warningsOnStart()).toEqual([]);
  });

  it('another one: start() succeeds and warns once, naming the queues\' region (their ARNs), the world\'s and AWS_REGION', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    const warnings = await warningsOnStart();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`the workflow queue ${local.queueUrls.workflow} (WORKFLOW_AWS_WORKFLOW_QUEUE_URL, createWorld: workflowQueueUrl) is in us-east-1`);
    expect(warnings[0]).toContain(`the step queue ${local.queueUrls.step} (WORKFLOW_AWS_STEP_QUEUE_URL, createWorld: stepQueueUrl) is in us-east-1`);
    expect(warnings[0]).toContain("but the world's region is eu-west-1 (from AWS_REGION)");
    expect(warnings[0]).toContain('Set AWS_REGION=us-east-1');
  });
});
