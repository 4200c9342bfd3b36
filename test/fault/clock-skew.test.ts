// One replica's clock 30 s ahead, one 30 s behind (a `--require` preload that
// moves Date in that process only); the others are on time.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster, type ReplicaSpec } from './harness/cluster.js';
import { ALL_TARGETS, CASE_TIMEOUT_MS, REPLICAS, describeFaultTargets, expectFaultFree } from './harness/fault-suite.js';
import { DEFAULT_WORKLOAD, startWorkload } from './harness/workload.js';

const OFFSET_MS = 30_000;
const PRELOAD = join(dirname(fileURLToPath(import.meta.url)), 'harness', 'clock-offset.cjs');

const skewed = (offsetMs: number): ReplicaSpec => ({ env: { FAULT_CLOCK_OFFSET_MS: String(offsetMs) }, nodeArgs: ['--require', PRELOAD] });

describeFaultTargets('replicas with clocks 30 s ahead and 30 s behind', ALL_TARGETS, (context) => {
  test('every run completes once, with no drift and no dead letter', async () => {
    const c = context();
    const specs = [skewed(+OFFSET_MS), skewed(-OFFSET_MS), {}].slice(0, REPLICAS[c.target]);
    const cluster = await Cluster.start(c.env, specs);
    const workload = await startWorkload(cluster, { ...DEFAULT_WORKLOAD, fanOut: 10 });
    await expectFaultFree(c, cluster, workload);
  }, CASE_TIMEOUT_MS);
});
