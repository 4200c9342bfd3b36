// describe() once per selected target, with a harness server (and whatever
// the target starts, e.g. the local AWS) running for the whole block.
import { ensureWorkflowsBuilt } from '../../../scripts/lib/build-workflows.mjs';
import type { ControlClient } from './client.js';
import { startHarnessServer, type HarnessServer } from './server-process.js';
import { ROOT, selectedTargets, type TargetRuntime } from './targets.js';

export const FIXTURE_APP = `${ROOT}/test/e2e/fixtures/app`;
const SETUP_TIMEOUT_MS = 240_000;

export function describeWorlds(title: string, body: (client: () => ControlClient, targetName: string) => void): void {
  for (const target of selectedTargets()) {
    describe(`${title} [${target.name}]`, () => {
      let runtime: TargetRuntime | undefined;
      let server: HarnessServer | undefined;

      beforeAll(async () => {
        await ensureWorkflowsBuilt(FIXTURE_APP);
        runtime = await target.start();
        server = await startHarnessServer({ appDir: FIXTURE_APP, env: runtime.env });
      }, SETUP_TIMEOUT_MS);

      afterAll(async () => {
        await server?.stop();
        await runtime?.stop();
      }, 30_000);

      body(() => {
        if (!server) throw new Error('harness server did not start (see beforeAll error)');
        return server.client;
      }, target.name);
    });
  }
}
