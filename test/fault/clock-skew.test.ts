// One replica's clock 30 s ahead, one 30 s behind (a `--require` preload that
// moves Date in that process only); the others are on time. The runtime
// judges a wait done by the clock of the process that replays it, so a wake-up
// that lands on a replica behind the wait's creator finds the wait up to 60 s
// early and asks for the rest: each sleep may take that much longer, and the
// runs are given it. The world adds no skew of its own (delay-schedule.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster, type ReplicaSpec } from './harness/cluster.js';
import { ALL_TARGETS, CASE_TIMEOUT_MS, REPLICAS, RUN_DEADLINE_MS, describeFaultTargets, expectFaultFree } from './harness/fault-suite.js';
import { DEFAULT_WORKLOAD, startWorkload } from './harness/workload.js';

const OFFSET_MS = 30_000;
/** The most the skew can add to the workload's sleeps: each judged by a clock up to 2 × OFFSET_MS behind its creator's. */
const SKEW_ALLOWANCE_MS = DEFAULT_WORKLOAD.sleeps * 2 * OFFSET_MS;
const PRELOAD = join(dirname(fileURLToPath(import.meta.url)), 'harness', 'clock-offset.cjs');

const skewed = (offsetMs: number): ReplicaSpec => ({ env: { FAULT_CLOCK_OFFSET_MS: String(offsetMs) }, nodeArgs: ['--require', PRELOAD] });

describeFaultTargets('replicas with clocks 30 s ahead and 30 s behind', ALL_TARGETS, (context) => {
  test('every run completes once, with no drift and no dead letter', async () => {
    const c = context();
    const specs = [skewed(+OFFSET_MS), skewed(-OFFSET_MS), {}].slice(0, REPLICAS[c.target]);
    const cluster = await Cluster.start(c.env, specs);
    const workload = await startWorkload(cluster, { ...DEFAULT_WORKLOAD, fanOut: 10 });
    await expectFaultFree(c, cluster, workload, undefined, RUN_DEADLINE_MS + SKEW_ALLOWANCE_MS);
  }, CASE_TIMEOUT_MS + SKEW_ALLOWANCE_MS);
});
