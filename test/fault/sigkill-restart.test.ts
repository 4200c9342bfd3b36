// Replicas SIGKILLed mid-run at seeded random times and restarted at once: a
// killed process acknowledges and projects nothing more, and its messages come
// back to the others when their lease ends.
import { Cluster } from './harness/cluster.js';
import { ALL_TARGETS, CASE_TIMEOUT_MS, REPLICAS, describeFaultTargets, expectFaultFree } from './harness/fault-suite.js';
import { seededRandom } from './harness/seeded-random.js';
import { DEFAULT_WORKLOAD, startWorkload } from './harness/workload.js';

const KILLS = 2;

describeFaultTargets('random SIGKILL and restart of a process', ALL_TARGETS, (context) => {
  test('every run completes; a body runs again only after its process was killed', async () => {
    const c = context();
    const random = seededRandom(`sigkill-${c.target}`);
    const cluster = await Cluster.start(c.env, Array.from({ length: REPLICAS[c.target] }, () => ({})));
    const workload = await startWorkload(cluster, { ...DEFAULT_WORKLOAD, sequenceSteps: 8, stepMs: 300 });
    for (let k = 0; k < KILLS; k++) {
      await new Promise((resolve) => setTimeout(resolve, random.int(500, 2_500)));
      const victim = random.int(0, cluster.size - 1);
      await cluster.killAndRestart(victim);
      await cluster.restarted();
    }
    await expectFaultFree(c, cluster, workload);
  }, CASE_TIMEOUT_MS);
});
