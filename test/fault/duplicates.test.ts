// Replicas on one installation, every queue message sent 3 times: consecutive
// messages of a run land on different processes, and copies race each other.
import { withDuplicateDeliveries } from '../e2e/harness/targets.js';
import { Cluster } from './harness/cluster.js';
import { ALL_TARGETS, CASE_TIMEOUT_MS, REPLICAS, describeFaultTargets, expectFaultFree } from './harness/fault-suite.js';
import { startWorkload } from './harness/workload.js';

const COPIES = 3;

describeFaultTargets('every message 3 times to several processes', ALL_TARGETS, (context) => {
  test('every run completes once, with no drift and no dead letter', async () => {
    const c = context();
    const cluster = await Cluster.start(withDuplicateDeliveries(c.env, COPIES), Array.from({ length: REPLICAS[c.target] }, () => ({})));
    const workload = await startWorkload(cluster);
    await expectFaultFree(c, cluster, workload);
  }, CASE_TIMEOUT_MS);
});
