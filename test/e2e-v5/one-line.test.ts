// One installation serves one Workflow line: a workflow@5 app and a
// workflow@4.8.9 app pointed at the same tables and queues. Whichever starts
// first records its line; the other refuses to start, naming both lines,
// before it consumes or sends a message.
import { ensureWorkflowsBuilt } from '../../scripts/lib/build-workflows.mjs';
import { startHarnessServer, type HarnessServer } from '../e2e/harness/server-process.js';
import { ROOT, type TargetRuntime } from '../e2e/harness/targets.js';
import { FIXTURE_APP } from '../e2e/harness/world-suite.js';
import { prepareV5App } from './harness/prepare.mjs';
import { V5_SERVER, V5_TARGETS } from './harness/targets.js';

const WORLD_4 = `${ROOT}/dist/index.js`;
const aws5 = V5_TARGETS.find((t) => t.name === 'aws')!;

let appDir5: string;
beforeAll(async () => {
  appDir5 = await prepareV5App();
  await ensureWorkflowsBuilt(FIXTURE_APP);
}, 600_000);

/** One installation on a fresh local AWS; the env of its 5 app, and of a 4 app on the same resources. */
async function withInstallation(body: (env5: Record<string, string>, env4: Record<string, string>) => Promise<void>): Promise<void> {
  const runtime: TargetRuntime = await aws5.start();
  try {
    await body(runtime.env, { ...runtime.env, WORKFLOW_TARGET_WORLD: WORLD_4 });
  } finally {
    await runtime.stop();
  }
}

async function refusal(start: () => Promise<HarnessServer>): Promise<string> {
  let server: HarnessServer | undefined;
  try {
    server = await start();
  } catch (error) {
    return (error as Error).message;
  } finally {
    await server?.stop();
  }
  return 'started';
}

test('a workflow@5 app records line 5; a workflow@4 app on its installation refuses to start', async () => {
  await withInstallation(async (env5, env4) => {
    const five = await startHarnessServer({ appDir: appDir5, server: V5_SERVER, env: env5 });
    try {
      const runId = await five.client.start('addition', [2, 3]);
      expect(await five.client.outcome(runId, 30_000)).toEqual({ outcome: 'completed', value: 5 });
      const message = await refusal(() => startHarnessServer({ appDir: FIXTURE_APP, env: env4 }));
      expect(message).toContain('serves the workflow@5 line; this app runs workflow@4');
      expect(message).toContain('use another installation name for the workflow@4 app');
      // The 5 app is unaffected.
      const again = await five.client.start('addition', [1, 1]);
      expect(await five.client.outcome(again, 30_000)).toEqual({ outcome: 'completed', value: 2 });
    } finally {
      await five.stop();
    }
  });
}, 180_000);

test('a workflow@4 app records line 4; a workflow@5 app on its installation refuses to start', async () => {
  await withInstallation(async (env5, env4) => {
    const four = await startHarnessServer({ appDir: FIXTURE_APP, env: env4 });
    try {
      const message = await refusal(() => startHarnessServer({ appDir: appDir5, server: V5_SERVER, env: env5 }));
      expect(message).toContain('serves the workflow@4 line; this app runs workflow@5');
      const runId = await four.client.start('addition', [2, 3]);
      expect(await four.client.outcome(runId, 30_000)).toEqual({ outcome: 'completed', value: 5 });
    } finally {
      await four.stop();
    }
  });
}, 180_000);
