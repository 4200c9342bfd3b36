// FAULT_METER=1 (widths case, 4.x line): each replica talks to DynamoDB and SQS
// through its own metering proxy and runs the counting world seam
// (test/e2e/harness/counting-world.cjs), so the case can report, per replica,
// the runtime's workflow replays and step handler calls and the requests it
// made. Off by default: the proxies cost CPU the timing should not pay.
import { join } from 'node:path';
import { runTimeline } from './checks.js';
import type { Cluster, ReplicaSpec } from './cluster.js';
import type { FaultContext } from './fault-suite.js';
import { FAULT_LINE } from './line.js';
import { startMeteringProxy, totalOf, type MeteringProxy } from './metering-proxy.js';

export const METERING = process.env.FAULT_METER === '1' && FAULT_LINE.name === '4';

const COUNTING_WORLD = join(process.cwd(), 'test', 'e2e', 'harness', 'counting-world.cjs');

export interface ReplicaMeters {
  specs: ReplicaSpec[];
  /** One line per replica: replays, step handler calls, DynamoDB and SQS requests (per step), and totals. */
  report(cluster: Cluster, runId: string, steps: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function meterReplicas(context: FaultContext, replicas: number): Promise<ReplicaMeters> {
  const proxies: { dynamodb: MeteringProxy; sqs: MeteringProxy }[] = [];
  for (let i = 0; i < replicas; i++) {
    proxies.push({ dynamodb: await startMeteringProxy(context.local.endpoints.dynamodb, true), sqs: await startMeteringProxy(context.local.endpoints.sqs) });
  }
  const specs = proxies.map((p) => ({
    env: {
      WORKFLOW_TARGET_WORLD: COUNTING_WORLD,
      E2E_WORLD_ENTRY: context.env.WORKFLOW_TARGET_WORLD!,
      AWS_ENDPOINT_URL_DYNAMODB: p.dynamodb.url,
      AWS_ENDPOINT_URL_SQS: p.sqs.url,
    },
  }));
  return {
    specs,
    async report(cluster, runId, steps) {
      const per = (n: number) => (n / steps).toFixed(2);
      const lines: string[] = [];
      const sum = { flow: 0, step: 0, ddb: 0, sqs: 0 };
      for (let i = 0; i < cluster.size; i++) {
        const calls = (await (await fetch(`${cluster.replica(i).baseUrl}/__e2e/route-calls`)).json()) as { handlers?: { flow: number; step: number } };
        const flow = calls.handlers?.flow ?? 0;
        const step = calls.handlers?.step ?? 0;
        const ddb = proxies[i]!.dynamodb.counts();
        // Receives are the consumer's polls (time, not work): counted apart.
        const sqs = proxies[i]!.sqs.counts();
        const ddbAll = totalOf(ddb);
        const sqsWork = totalOf(sqs, ['ReceiveMessage']);
        Object.assign(sum, { flow: sum.flow + flow, step: sum.step + step, ddb: sum.ddb + ddbAll, sqs: sum.sqs + sqsWork });
        lines.push(
          `replica ${i}: replays ${flow} (${per(flow)}/step), step calls ${step}, DynamoDB ${ddbAll} (${per(ddbAll)}/step) ${JSON.stringify(proxies[i]!.dynamodb.details())} failed ${JSON.stringify(proxies[i]!.dynamodb.failures())}, SQS ${sqsWork} (${per(sqsWork)}/step, receives ${sqs.ReceiveMessage ?? 0}) ${JSON.stringify(sqs)} ${JSON.stringify(proxies[i]!.sqs.details())}`,
        );
      }
      lines.push(`all replicas: replays ${sum.flow} (${per(sum.flow)}/step), step calls ${sum.step}, DynamoDB ${sum.ddb} (${per(sum.ddb)}/step), SQS without receives ${sum.sqs} (${per(sum.sqs)}/step)`);
      lines.push(await runTimeline(context.env, runId));
      return lines;
    },
    close: async () => {
      await Promise.all(proxies.flatMap((p) => [p.dynamodb.close(), p.sqs.close()]));
    },
  };
}
