// A process killed after an event's commit and before its projection: each
// replica talks to DynamoDB through its own loopback proxy, which SIGKILLs the
// replica when it sees the replica's first projection write after its N-th
// committed step_completed (N seeded). Black-box: nothing in the world knows.
import { Cluster } from './harness/cluster.js';
import { startCommitKillProxy, type CommitKillProxy } from './harness/commit-kill-proxy.js';
import { ALL_TARGETS, CASE_TIMEOUT_MS, REPLICAS, describeFaultTargets, expectFaultFree } from './harness/fault-suite.js';
import { seededRandom } from './harness/seeded-random.js';
import { DEFAULT_WORKLOAD, startWorkload } from './harness/workload.js';

describeFaultTargets('a process killed between an event commit and its projection', ALL_TARGETS, (context) => {
  const proxies: CommitKillProxy[] = [];
  afterAll(() => Promise.all(proxies.map((p) => p.close())));

  test('every run completes, and the projections catch up with the log', async () => {
    const c = context();
    const random = seededRandom(`commit-kill-${c.target}`);
    for (let i = 0; i < REPLICAS[c.target]; i++) proxies.push(await startCommitKillProxy(c.local.endpoints.dynamodb, c.local.names));
    const cluster = await Cluster.start(c.env, proxies.map((proxy) => ({ env: { AWS_ENDPOINT_URL_DYNAMODB: proxy.url } })));
    // Every replica but the first dies once (the Lambda target's two both do).
    const victims = c.target === 'aws-lambda' ? [0, 1] : [1, 2];
    for (const victim of victims) {
      // The proxy drops the write once the replica is dead; its restart goes on behind.
      proxies[victim]!.arm(random.int(1, 3), () => cluster.killAndRestart(victim).then(() => undefined));
    }
    const workload = await startWorkload(cluster, { ...DEFAULT_WORKLOAD, sequenceSteps: 8, fanOut: 10 });
    const fired = () => victims.filter((v) => proxies[v]!.triggered).length;
    await expectFaultFree(c, cluster, workload, () => [`commit-then-kill ${fired()} of ${victims.length}`]);
    expect(fired()).toBe(victims.length);
  }, CASE_TIMEOUT_MS);
});
