// describe() once per selected 5-line target (test/e2e/harness/world-suite.ts
// with the 5 line's app, targets and server). The app is installed and built
// once (prepare.mjs), whatever the number of targets.
import type { ControlClient } from '../../e2e/harness/client.js';
import { describeWorlds, type SuiteLine } from '../../e2e/harness/world-suite.js';
import { prepareV5App } from './prepare.mjs';
import { selectedV5Targets, V5_SERVER } from './targets.js';

const LINE_5: SuiteLine = {
  label: '5: ',
  targets: selectedV5Targets,
  prepare: () => prepareV5App(),
  server: V5_SERVER,
  // npm ci of the 5 line's installation on a cold cache, then its build.
  setupTimeoutMs: 600_000,
};

export function describeV5Worlds(title: string, body: (client: () => ControlClient, targetName: string) => void): void {
  describeWorlds(title, body, LINE_5);
}
