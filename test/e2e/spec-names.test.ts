// An installation named the original spec's way (`seedapp_runs`, …, a bucket
// set with WORKFLOW_AWS_STREAM_BUCKET), configured with only the spec's names:
// first its environment variables, then its createWorld option names. A 1 MiB
// payload (S3 claim checks) and a stream must round-trip through the runtime.
// The emulators hold no resource with this package's default names, so a
// setting that fell back to its default would fail the run.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureWorkflowsBuilt } from '../../scripts/lib/build-workflows.mjs';
import { provisionResources } from '../../src/infra/provisioning/index.js';
import { resourceNames, type ResourceNames } from '../../src/config/resource-names.js';
import { localClients, startLocalAws, type LocalAws } from '../../src/infra/local-aws/index.js';
import { startHarnessServer, type HarnessServer } from './harness/server-process.js';
import { ROOT } from './harness/targets.js';
import { FIXTURE_APP } from './harness/world-suite.js';
import { patternBytes } from './fixtures/app/shared/payload.js';

const MIB = 1024 * 1024;

const SPEC_NAMES: ResourceNames = {
  ...resourceNames('seedapp'),
  tables: { runs: 'seedapp_runs', steps: 'seedapp_steps', events: 'seedapp_events', hooks: 'seedapp_hooks', streams: 'seedapp_stream_chunks' },
  workflowQueue: 'seedapp_workflow_queue',
  stepQueue: 'seedapp_step_queue',
  workflowDlq: 'seedapp_workflow_dlq',
  stepDlq: 'seedapp_step_dlq',
  bucket: 'seedapp-stream-bucket',
};

/** Local AWS with only the spec-named installation in it (startLocalAws' own lives under an unused name). */
async function startSpecNamedAws(): Promise<{ local: LocalAws; queueUrls: { workflow: string; step: string } }> {
  const local = await startLocalAws({ name: 'unused-decoy' });
  const clients = localClients(local.endpoints, local.region);
  try {
    const { queues } = await provisionResources(clients, SPEC_NAMES);
    return { local, queueUrls: { workflow: queues.workflow.url, step: queues.step.url } };
  } catch (error) {
    await local.stop();
    throw error;
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}

/** What any world on the emulators needs, none of it a setting the spec names differently. */
function emulatorEnv(local: LocalAws): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: local.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: local.endpoints.sqs,
    AWS_ENDPOINT_URL_S3: local.endpoints.s3,
    AWS_ACCESS_KEY_ID: local.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: local.credentials.secretAccessKey,
    WORKFLOW_AWS_S3_FORCE_PATH_STYLE: '1',
    WORKFLOW_AWS_SIGNING_SECRET: randomBytes(32).toString('hex'),
  };
}

function specSuite(title: string, worldEnv: (local: LocalAws, queueUrls: { workflow: string; step: string }, dir: string) => Promise<Record<string, string>>) {
  describe(title, () => {
    let local: LocalAws | undefined;
    let server: HarnessServer | undefined;
    let dir: string | undefined;

    beforeAll(async () => {
      await ensureWorkflowsBuilt(FIXTURE_APP);
      dir = await mkdtemp(join(tmpdir(), 'e2e-spec-names-'));
      const started = await startSpecNamedAws();
      local = started.local;
      server = await startHarnessServer({ appDir: FIXTURE_APP, env: { ...emulatorEnv(local), ...(await worldEnv(local, started.queueUrls, dir)) } });
    }, 240_000);

    afterAll(async () => {
      await server?.stop();
      await local?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    }, 30_000);

    test('a 1 MiB payload round-trips through S3 in the spec-named bucket', async () => {
      const runId = await server!.client.start('largeBytes', [MIB, 7]);
      const outcome = await server!.client.outcome(runId, 60_000);
      expect(outcome.outcome).toBe('completed');
      const value = (outcome as { value: Uint8Array }).value;
      expect(value.byteLength).toBe(MIB);
      expect(Buffer.from(value).equals(Buffer.from(patternBytes(MIB, 7)))).toBe(true);
    }, 90_000);

    test('a stream is written and read back from the spec-named stream table', async () => {
      const words = ['spec', 'names', 'work'];
      const runId = await server!.client.start('wordStream', [words]);
      expect(await server!.client.outcome(runId, 30_000)).toEqual({ outcome: 'completed', value: words.length });
      const read: unknown[] = [];
      for await (const chunk of server!.client.stream(runId)) read.push(chunk);
      expect(read).toEqual(words);
    }, 60_000);
  });
}

specSuite('only the spec environment variables', async (local, queueUrls) => ({
  WORKFLOW_TARGET_WORLD: join(ROOT, 'dist', 'index.js'),
  AWS_REGION: local.region,
  WORKFLOW_AWS_WORKFLOW_QUEUE_URL: queueUrls.workflow,
  WORKFLOW_AWS_STEP_QUEUE_URL: queueUrls.step,
  WORKFLOW_AWS_RUNS_TABLE: SPEC_NAMES.tables.runs,
  WORKFLOW_AWS_STEPS_TABLE: SPEC_NAMES.tables.steps,
  WORKFLOW_AWS_EVENTS_TABLE: SPEC_NAMES.tables.events,
  WORKFLOW_AWS_HOOKS_TABLE: SPEC_NAMES.tables.hooks,
  WORKFLOW_AWS_STREAMS_TABLE: SPEC_NAMES.tables.streams,
  WORKFLOW_AWS_STREAM_BUCKET: SPEC_NAMES.bucket,
}));

specSuite('only the spec createWorld option names', async (local, queueUrls, dir) => {
  // The runtime calls the world module's default export with no arguments: this one passes the spec's options.
  const module = join(dir, 'spec-world.mjs');
  const options = {
    region: local.region,
    queueUrl: queueUrls.workflow,
    stepQueueUrl: queueUrls.step,
    runsTable: SPEC_NAMES.tables.runs,
    stepsTable: SPEC_NAMES.tables.steps,
    eventsTable: SPEC_NAMES.tables.events,
    hooksTable: SPEC_NAMES.tables.hooks,
    streamChunksTable: SPEC_NAMES.tables.streams,
    streamBucket: SPEC_NAMES.bucket,
  };
  await writeFile(
    module,
    `import { createWorld } from ${JSON.stringify(join(ROOT, 'dist', 'index.js'))};\n` +
      `export default () => createWorld(${JSON.stringify(options)});\n`,
  );
  return { WORKFLOW_TARGET_WORLD: module };
});
