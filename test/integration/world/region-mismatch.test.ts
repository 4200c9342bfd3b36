// A wrong AWS_REGION against the local AWS (as `aws-workflow dev` runs it):
// the emulators ignore the region, so nothing fails, but start() warns once,
// naming the queues' region (from their ARNs), the world's and AWS_REGION.
import { startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';
import { createWorld } from '../../../src/index.js';
import { RecordingLogger } from '../../unit/application/queue/harness.js';

let local: LocalAws;
const saved = { ...process.env };

beforeAll(async () => {
  local = await startLocalAws({ name: 'regions', region: 'eu-west-1' });
});
afterAll(async () => {
  await local.stop();
});
beforeEach(() => {
  // What `dev --region eu-west-1` prints, with the shell's own AWS_REGION winning over it.
  process.env = { ...saved, ...local.env, WORKFLOW_AWS_CONSUMER: 'process', WORKFLOW_AWS_DELIVERY: 'in-process', WORKFLOW_AWS_LOG_LEVEL: 'silent' };
});
afterEach(() => {
  process.env = saved;
});

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
  expect(local.env.AWS_REGION).toBe('eu-west-1');
  expect(await warningsOnStart()).toEqual([]);
});

it('another AWS_REGION: start() succeeds and warns once, naming both regions, both queues and AWS_REGION', async () => {
  process.env.AWS_REGION = 'us-west-2';
  const warnings = await warningsOnStart();
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain(`the workflow queue ${local.queueUrls.workflow} (WORKFLOW_AWS_WORKFLOW_QUEUE_URL, createWorld: workflowQueueUrl) is in eu-west-1`);
  expect(warnings[0]).toContain(`the step queue ${local.queueUrls.step} (WORKFLOW_AWS_STEP_QUEUE_URL, createWorld: stepQueueUrl) is in eu-west-1`);
  expect(warnings[0]).toContain("but the world's region is us-west-2 (from AWS_REGION)");
  expect(warnings[0]).toContain('Set AWS_REGION=eu-west-1');
});
