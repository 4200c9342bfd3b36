// Request cost of whole workflow runs (seq20, fanout50) as the runtime drives
// them: the app server's DynamoDB, SQS and S3 endpoints are metering/counting
// proxies, completion is watched by a second world that talks to the local
// AWS directly, and everything from start() to completion + 1.5 s is counted
// (commits, projections, queue claims, replays, long polls). Then the queues
// are drained: a step run in process leaves its SQS message as a delayed
// safety net (docs/queue-protocol.md), received and deleted about 91 s later;
// its requests count too, but not the empty receives of idle polling meanwhile.
// Reported per
// step, priced with cost-model.mjs, next to the figures measured on the
// previous schema (bench/cost-baseline.json) and Step Functions Standard.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { costPerMillion, PRICES } from './cost-model.mjs';
import { aggregate } from './cost-suite.mjs';
import { call, meteredLocalAws, meterCases, ourWorld, readerWorld, startServer, untilCompleted } from './e2e.mjs';
import { S3_TIER1, S3_TIER2, startRequestCounter } from './request-counter.mjs';
import { sleep } from './stats.mjs';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';

const BASELINE = fileURLToPath(new URL('../cost-baseline.json', import.meta.url));

export const WORKFLOW_COST_CASES = [
  { name: 'seq20', workflow: 'sequentialSteps', args: [20], steps: 20 },
  { name: 'fanout50', workflow: 'parallelSteps', args: [50], steps: 50 },
];

const PENDING = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'];

/** Waits until no queue of the local AWS holds a message (visible, in flight or delayed); returns how long it took. */
async function untilQueuesDrained(env, timeoutMs) {
  const sqs = new SQSClient({
    endpoint: env.AWS_ENDPOINT_URL_SQS,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  const t0 = Date.now();
  try {
    for (;;) {
      const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
      let pending = 0;
      for (const QueueUrl of QueueUrls) {
        const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: PENDING }));
        pending += PENDING.reduce((n, name) => n + Number(Attributes[name] ?? 0), 0);
      }
      if (pending === 0) return Date.now() - t0;
      if (Date.now() - t0 > timeoutMs) throw new Error(`queues still hold ${pending} messages after ${timeoutMs / 1000} s`);
      await sleep(500);
    }
  } finally {
    sqs.destroy();
  }
}

/** The run window's requests plus the drain's, without the drain's empty receives (idle polling). */
function withDrain(run, drain) {
  const out = { ...run };
  for (const [op, n] of Object.entries(drain)) if (op !== 'ReceiveMessageEmpty') out[op] = (out[op] ?? 0) + n;
  return out;
}

const sum = (counts, keep = () => true) => Object.entries(counts).reduce((a, [op, n]) => a + (keep(op) ? n : 0), 0);
const r2 = (x) => Math.round(x * 100) / 100;

/** Per-step figures of one metered run. */
export function perStep(cost, sqs, s3, steps) {
  const per = {
    wcu: cost.computed.totalWcu / steps,
    wcuBase: cost.computed.baseWcu / steps,
    wcuIndexes: cost.computed.indexWcu / steps,
    rcu: cost.computed.rcu / steps,
    sqs: sum(sqs) / steps,
    s3Tier1: sum(s3, (op) => S3_TIER1.has(op)) / steps,
    s3Tier2: sum(s3, (op) => S3_TIER2.has(op)) / steps,
  };
  const usdPerMillion = costPerMillion(per);
  return { ...Object.fromEntries(Object.entries(per).map(([k, v]) => [k, r2(v)])), usdPerMillionSteps: r2(usdPerMillion) };
}

export async function meteredWorkflowCosts({ cases = WORKFLOW_COST_CASES, log = () => {} } = {}) {
  const { local, env, meter } = await meteredLocalAws();
  const sqs = await startRequestCounter({ target: env.AWS_ENDPOINT_URL_SQS, kind: 'sqs' });
  const s3 = await startRequestCounter({ target: env.AWS_ENDPOINT_URL_S3, kind: 's3' });
  const reader = await readerWorld(env);
  let server;
  try {
    server = await startServer(
      ourWorld({
        WORKFLOW_AWS_ADAPTERS: 'aws',
        // http (default): signed deliveries, each with a durable replay claim; in-process: none, like Lambda mode.
        WORKFLOW_AWS_DELIVERY: process.env.BENCH_DELIVERY ?? 'http',
        ...env,
        AWS_ENDPOINT_URL_DYNAMODB: meter.endpoint,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
      }),
    );
    const runOnce = async (c) => {
      await meter.take();
      sqs.take();
      s3.take();
      const { runId } = await call(server.base, 'POST', 'start', { workflow: c.workflow, args: c.args });
      const ms = await untilCompleted(reader, runId, c.name, 120_000);
      // Projections are written up to 1 s after their commits (projection-log.ts): count them too.
      await sleep(1500);
      const sqsRun = sqs.take();
      const drainMs = await untilQueuesDrained(env, 240_000);
      const sqsCounts = withDrain(sqsRun, sqs.take());
      const cost = aggregate(await meter.take());
      const s3Counts = s3.take();
      log(`${c.name}: queues drained ${Math.round(drainMs / 1000)} s after completion + 1.5 s`);
      return { ms: Math.round(ms), steps: c.steps, drainMs, requests: { dynamodb: cost.requests, sqs: sqsCounts, s3: s3Counts }, computed: cost.computed, perStep: perStep(cost, sqsCounts, s3Counts, c.steps) };
    };
    return await meterCases(cases, { name: 'warm-up', workflow: 'addition', args: [1, 2], steps: 1 }, runOnce, log, 'workflow');
  } finally {
    await server?.stop();
    await reader.close?.();
    await sqs.stop();
    await s3.stop();
    await meter.stop();
    await local.stop();
  }
}

export async function readBaseline() {
  try {
    return JSON.parse(await readFile(BASELINE, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The table printed by `npm run bench`: per step, now vs. the previous schema vs. Step Functions. */
export function workflowCostTable(results, baseline) {
  const rows = [['per step', 'WCU (base + GSI)', 'RCU', 'SQS requests', 'S3 requests (tier 1 / 2)', 'USD per million steps']];
  const fmt = (p) => [`${p.wcu} (${p.wcuBase} + ${p.wcuIndexes})`, String(p.rcu), String(p.sqs), `${p.s3Tier1} / ${p.s3Tier2}`, `$${p.usdPerMillionSteps}`];
  for (const [name, r] of Object.entries(results)) {
    if (baseline?.cases?.[name]) rows.push([`${name}, previous schema (${baseline.measuredOn})`, ...fmt(baseline.cases[name].perStep)]);
    rows.push([`${name}, this build`, ...fmt(r.perStep)]);
  }
  rows.push(['Step Functions Standard (1 transition per step)', '', '', '', '', `$${PRICES.stepFunctionsTransition * 1e6}`]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ')).join('\n');
}
