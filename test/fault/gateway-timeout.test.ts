// Deliveries through a gateway that answers 504 before the step finishes while
// the replica keeps running it. HTTP target only: on the Lambda target the
// handler calls the routes in process, with no gateway between. A step runs
// in the process that created it while that process has a free slot
// (WORKFLOW_AWS_CONCURRENCY): one slot per replica, no backlog
// (WORKFLOW_AWS_INLINE_BACKLOG) and more sequences than replicas, so that many
// steps travel as HTTP deliveries through the gateway.
import { Cluster } from './harness/cluster.js';
import { CASE_TIMEOUT_MS, REPLICAS, describeFaultTargets, expectFaultFree } from './harness/fault-suite.js';
import { startGateway, type Gateway } from './harness/gateway.js';
import { DEFAULT_WORKLOAD, startWorkload } from './harness/workload.js';

const GATEWAY_TIMEOUT_MS = 500;
/** Sequential step bodies outlast the gateway. */
const STEP_MS = 1_500;

describeFaultTargets('a gateway that answers 504 before the step finishes', ['aws'], (context) => {
  let gateway: Gateway | undefined;
  afterAll(() => gateway?.close());

  test('every run completes, each step body once, with no drift and no dead letter', async () => {
    const c = context();
    gateway = await startGateway(GATEWAY_TIMEOUT_MS);
    const cluster = await Cluster.start({ ...c.env, E2E_DELIVERY_BASE_URL: gateway.url, WORKFLOW_AWS_CONCURRENCY: '1', WORKFLOW_AWS_INLINE_BACKLOG: '0' }, Array.from({ length: REPLICAS[c.target] }, () => ({})));
    gateway.setBackends(Array.from({ length: cluster.size }, (_, i) => cluster.replica(i).baseUrl));
    const workload = await startWorkload(cluster, { ...DEFAULT_WORKLOAD, sequenceSteps: 4, sequences: 6, stepMs: STEP_MS, fanOut: 0 });
    await expectFaultFree(c, cluster, workload, () => [`gateway 504s ${gateway!.timeouts}`]);
    // The fault must have happened for the case to mean anything.
    expect(gateway.timeouts).toBeGreaterThanOrEqual(4);
  }, CASE_TIMEOUT_MS);
});
