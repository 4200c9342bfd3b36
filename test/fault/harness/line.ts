// Which Workflow line the fault suite drives. FAULT_LINE=5 (`npm run
// test:fault-v5`): the fixture built with workflow@5 (test/e2e-v5), its
// harness server and the 5 facade, on the same local AWS targets. The 5 line
// has no Lambda bundle target here yet, so only `aws` runs on it.
import { ensureWorkflowsBuilt } from '../../../scripts/lib/build-workflows.mjs';
import { FIXTURE_APP } from '../../e2e/harness/world-suite.js';
import { targetNamed, type WorldTarget } from '../../e2e/harness/targets.js';
import { prepareV5App, V5_APP } from '../../e2e-v5/harness/prepare.mjs';
import { V5_SERVER, V5_TARGETS } from '../../e2e-v5/harness/targets.js';

export interface FaultLine {
  name: '4' | '5';
  appDir: string;
  /** The harness server script (undefined: test/e2e's). */
  server?: string;
  /** Builds the app if it is not current. */
  prepare(): Promise<unknown>;
  target(name: string): WorldTarget;
  /** Fault targets this line runs. */
  supports(target: string): boolean;
}

const LINE_4: FaultLine = {
  name: '4',
  appDir: FIXTURE_APP,
  prepare: () => ensureWorkflowsBuilt(FIXTURE_APP),
  target: targetNamed,
  supports: () => true,
};

const LINE_5: FaultLine = {
  name: '5',
  appDir: V5_APP,
  server: V5_SERVER,
  prepare: () => prepareV5App({ log: (line) => process.stderr.write(`[fault 5] ${line}\n`) }),
  target(name) {
    const target = V5_TARGETS.find((t) => t.name === name);
    if (!target) throw new Error(`no 5-line target "${name}"`);
    return target;
  },
  supports: (target) => target === 'aws',
};

export const FAULT_LINE: FaultLine = process.env.FAULT_LINE === '5' ? LINE_5 : LINE_4;
