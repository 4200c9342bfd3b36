// The worlds the 5-line suites run against: the same targets as 4.x
// (test/e2e/harness/targets.ts) on the 5 facade, and `local` = the SDK's
// world-local 5 (built into the 5 runtime). The app selects the facade by its
// package name, resolved from the app as the 5 runtime does at run time.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { selectedTargets, worldTargets, type WorldTarget } from '../../e2e/harness/targets.js';
import { V5_APP, V5_DIR } from './prepare.mjs';

export { V5_APP, V5_DIR };
export const V5_SERVER = join(V5_DIR, 'harness', 'server.mjs');
/** WORKFLOW_TARGET_WORLD for the 5 facade; E2E_V5_WORLD names another module. */
export const V5_WORLD = process.env.E2E_V5_WORLD ?? '@workflow/world-aws/v5';

export const V5_TARGETS: WorldTarget[] = worldTargets({
  module: V5_WORLD,
  requireBuilt() {
    try {
      createRequire(join(V5_APP, 'package.json')).resolve(V5_WORLD);
    } catch (error) {
      throw new Error(`the 5 facade ${V5_WORLD} does not resolve from ${V5_APP} (run \`npm run build\`): ${(error as Error).message}`);
    }
  },
}).filter((t) => t.name !== 'aws-lambda' || process.env.E2E_V5_LAMBDA === '1');

/** The 5-line targets this run covers (E2E_TARGETS, else memory and aws). */
export function selectedV5Targets(): WorldTarget[] {
  return selectedTargets(process.env, V5_TARGETS);
}
