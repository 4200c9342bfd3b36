// describe() once per selected 5-line target, with the 5 harness server (and
// whatever the target starts) running for the whole block. The app is
// installed and built once (prepare.mjs), whatever the number of targets.
import type { ControlClient } from '../../e2e/harness/client.js';
import { startHarnessServer, type HarnessServer } from '../../e2e/harness/server-process.js';
import type { TargetRuntime } from '../../e2e/harness/targets.js';
import { prepareV5App } from './prepare.mjs';
import { selectedV5Targets, V5_SERVER } from './targets.js';

// npm ci of the 5 line on a cold cache, then the build.
const SETUP_TIMEOUT_MS = 600_000;

export function describeV5Worlds(title: string, body: (client: () => ControlClient, targetName: string) => void): void {
  for (const target of selectedV5Targets()) {
    describe(`${title} [5: ${target.name}]`, () => {
      let runtime: TargetRuntime | undefined;
      let server: HarnessServer | undefined;

      beforeAll(async () => {
        const appDir = await prepareV5App();
        runtime = await target.start();
        server = await startHarnessServer({ appDir, server: V5_SERVER, env: runtime.env });
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
