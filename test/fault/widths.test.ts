// No fault, only width: fan-outs of 1, 50 and 200 (1 000 with FAULT_WIDTH_1000=1)
// on several processes of one installation. Steps beyond what the starting
// process runs itself travel as messages that every replica consumes, so
// exactly-once must hold across processes at every width, not only in one.
// FAULT_METER=1 reports each replica's replays and requests (replica-meter.ts).
import { Cluster } from './harness/cluster.js';
import { ALL_TARGETS, CASE_TIMEOUT_MS, REPLICAS, describeFaultTargets, expectFaultFree } from './harness/fault-suite.js';
import { readLedger } from './harness/ledger.js';
import { METERING, meterReplicas } from './harness/replica-meter.js';
import { DEFAULT_WORKLOAD, startWorkload } from './harness/workload.js';

const WIDE = process.env.FAULT_WIDTH_1000 === '1';
const WIDTHS = WIDE ? [1, 50, 200, 1000] : [1, 50, 200];
/**
 * Deadline per width. On several processes a wide fan-out has a slow mode
 * under CPU load: 200 wide settled in 8–25 s, but in 70–120 s above a load
 * of about 7 (test/fault/README.md, "Measure"); 1 000 wide takes minutes.
 */
const deadlineMs = (width: number) => (width >= 1000 ? 900_000 : width >= 200 ? 200_000 : 120_000);

describeFaultTargets('fan-out widths on several processes', ALL_TARGETS, (context) => {
  test.each(WIDTHS)('a fan-out of %i completes, each body once, with no drift and no dead letter', async (width) => {
    const c = context();
    const replicas = REPLICAS[c.target];
    const meters = METERING ? await meterReplicas(c, replicas) : undefined;
    try {
      const cluster = await Cluster.start(process.env.FAULT_WIDTH_VISIBILITY ? { ...c.env, WORKFLOW_AWS_VISIBILITY_SECONDS: process.env.FAULT_WIDTH_VISIBILITY } : c.env, meters?.specs ?? Array.from({ length: replicas }, () => ({})));
      const workload = await startWorkload(cluster, { ...DEFAULT_WORKLOAD, sequences: 0, hookPayloads: 0, sleeps: 0, fanOut: width });
      const runId = workload.runs[0]!.runId;
      const bodyPids = () => new Set(readLedger(c.env.FAULT_LEDGER_FILE!).filter((e) => e.runId === runId).map((e) => e.pid));
      // The fixture's fan-out runs `width` steps: per-step figures divide by that.
      const metered = meters ? () => meters.report(cluster, runId, width) : undefined;
      await expectFaultFree(c, cluster, workload, () => [`width ${width}: bodies ran in ${bodyPids().size} process(es)`], deadlineMs(width), metered);
      // At 200 and more, the starting process cannot hold every step: some must have crossed to another.
      if (width >= 200) expect(bodyPids().size).toBeGreaterThan(1);
    } finally {
      await meters?.close();
    }
  }, WIDE ? 960_000 : CASE_TIMEOUT_MS + 60_000);
});
