// A process killed (SIGKILL) while a step runs acknowledges nothing: SQS
// redelivers the step message to the next process once its lease lapses, and
// the run completes. Runs on the aws target (SQS leases are what is tested).
import { ensureWorkflowsBuilt } from '../../scripts/lib/build-workflows.mjs';
import { startHarnessServer, type HarnessServer } from './harness/server-process.js';
import { selectedTargets, type TargetRuntime } from './harness/targets.js';
import { FIXTURE_APP } from './harness/world-suite.js';

const aws = selectedTargets().find((target) => target.name === 'aws');
const LEASE_SECONDS = 2;
const STEP_MS = 4_000;

(aws ? describe : describe.skip)('crash before the ack [aws]', () => {
  let runtime: TargetRuntime | undefined;
  let first: HarnessServer | undefined;
  let second: HarnessServer | undefined;

  beforeAll(async () => {
    await ensureWorkflowsBuilt(FIXTURE_APP);
    runtime = await aws!.start();
  }, 240_000);

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await runtime?.stop();
  }, 30_000);

  test('a step whose process is killed mid-run is redelivered to the next process, and the run completes', async () => {
    // A short lease, so the killed process's message comes back quickly.
    const env = { ...runtime!.env, WORKFLOW_AWS_VISIBILITY_SECONDS: String(LEASE_SECONDS) };
    first = await startHarnessServer({ appDir: FIXTURE_APP, env });
    const runId = await first.client.start('survivesCrash', [STEP_MS]);
    await first.client.waitFor('the run to start', async () => ((await first!.client.status(runId)) === 'running' ? true : undefined));
    // The step is now (or about to be) running inside the first process.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await first.kill();

    second = await startHarnessServer({ appDir: FIXTURE_APP, env });
    const outcome = await second.client.outcome(runId, 60_000);
    // Attempt 2: the first attempt died with the first process.
    expect(outcome).toEqual({ outcome: 'completed', value: { attempt: 2 } });
  }, 120_000);
});
