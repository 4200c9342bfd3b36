// describe() once per selected target, with a harness server (and whatever
// the target starts, e.g. the local AWS) running for the whole block.
import { ensureWorkflowsBuilt } from '../../../scripts/lib/build-workflows.mjs';
import type { ControlClient } from './client.js';
import { startHarnessServer, type HarnessServer } from './server-process.js';
import { ROOT, selectedTargets, type TargetRuntime, type WorldTarget } from './targets.js';

export const FIXTURE_APP = `${ROOT}/test/e2e/fixtures/app`;
const SETUP_TIMEOUT_MS = 240_000;

/** A Workflow line's app for the suites: its targets, how it is built, and its harness server. */
export interface SuiteLine {
  /** Prefix of the describe title, e.g. `5: ` (empty for 4.x). */
  label: string;
  targets(): WorldTarget[];
  /** Builds the app if needed; resolves to its directory. */
  prepare(): Promise<string>;
  /** The harness server script (undefined: this directory's server.mjs). */
  server?: string;
  /** For prepare(), the target and the server together (default 240 s). */
  setupTimeoutMs?: number;
}

const LINE_4: SuiteLine = {
  label: '',
  targets: () => selectedTargets(),
  prepare: async () => {
    await ensureWorkflowsBuilt(FIXTURE_APP);
    return FIXTURE_APP;
  },
};

export function describeWorlds(title: string, body: (client: () => ControlClient, targetName: string) => void, line: SuiteLine = LINE_4): void {
  for (const target of line.targets()) {
    describe(`${title} [${line.label}${target.name}]`, () => {
      let runtime: TargetRuntime | undefined;
      let server: HarnessServer | undefined;

      beforeAll(async () => {
        const appDir = await line.prepare();
        runtime = await target.start();
        server = await startHarnessServer({ appDir, ...(line.server ? { server: line.server } : {}), env: runtime.env });
      }, line.setupTimeoutMs ?? SETUP_TIMEOUT_MS);

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
