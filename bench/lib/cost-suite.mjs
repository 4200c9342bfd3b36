// DynamoDB capacity per event type and per read, through the metering proxy
// (ddb-meter.mjs), one request at a time. Writes: "measured" is what dynalite
// (with our transaction add-on) reports for the base tables; "computed" is
// cost-model.mjs applied to the before/after images, base tables and GSIs.
import { randomBytes } from 'node:crypto';
import { startDynamoMeter } from './ddb-meter.mjs';
import { readWholeLog, stepEvents, startedRun } from './storage-suite.mjs';
import { bytes, newStepId } from './stats.mjs';

const WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const SPEC = 3;
const round = (x) => (x === undefined ? undefined : Math.round(x * 100) / 100);
const id = (prefix) => `${prefix}_${newStepId().slice(5)}`;

/** Requests by operation and the measured/computed units of a list of meter records. */
export function aggregate(records) {
  const requests = {};
  let measuredWrite = 0;
  let measuredRead = 0;
  let measuredMissing = false;
  let base = 0;
  let read = 0;
  const indexes = {};
  const byOp = {};
  for (const r of records) {
    const o = (byOp[r.detail ?? r.op] ??= { n: 0, failed: 0, wcu: 0, rcu: 0 });
    o.n++;
    if (!r.ok) o.failed++;
    o.wcu += r.computed.base;
    o.rcu += r.computed.read;
    requests[r.op] = (requests[r.op] ?? 0) + 1;
    if (r.measured === undefined) measuredMissing = true;
    if (WRITE_OPS.has(r.op)) measuredWrite += r.measured ?? 0;
    else measuredRead += r.measured ?? 0;
    base += r.computed.base;
    read += r.computed.read;
    for (const [k, v] of Object.entries(r.computed.indexes)) indexes[k] = (indexes[k] ?? 0) + v;
  }
  const indexTotal = Object.values(indexes).reduce((a, b) => a + b, 0);
  return {
    requests: Object.fromEntries(Object.entries(requests).sort(([a], [b]) => a.localeCompare(b))),
    measured: { wcu: round(measuredWrite), rcu: round(measuredRead), complete: !measuredMissing },
    computed: { baseWcu: round(base), indexWcu: round(indexTotal), totalWcu: round(base + indexTotal), rcu: round(read), indexes, byOp },
  };
}

/** `createWorldVia(endpoint)` must build a world whose DynamoDB endpoint is the proxy. */
export async function runCostSuite({ env, createWorldVia }) {
  const meter = await startDynamoMeter({
    target: env.AWS_ENDPOINT_URL_DYNAMODB,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  const world = createWorldVia(meter.endpoint);
  const perEvent = {};
  const samples = {};
  const measure = async (label, fn) => {
    await meter.take();
    const result = await fn();
    const cost = aggregate(await meter.take());
    (samples[label] ??= []).push(cost);
    perEvent[label] = cost; // the last sample; stability is checked below
    return result;
  };
  const create = (runId, request) => measure(request.eventType, () => world.events.create(runId, request));
  try {
    for (let i = 0; i < 3; i++) {
      const { run } = await create(null, { eventType: 'run_created', specVersion: SPEC, eventData: { deploymentId: 'bench', workflowName: 'bench', input: bytes(64) } });
      const runId = run.runId;
      await create(runId, { eventType: 'run_started', specVersion: SPEC });
      for (const request of stepEvents(newStepId())) await create(runId, request);
      const hookId = id('hook');
      const token = randomBytes(16).toString('hex');
      await create(runId, { eventType: 'hook_created', specVersion: SPEC, correlationId: hookId, eventData: { token } });
      await create(runId, { eventType: 'hook_received', specVersion: SPEC, correlationId: hookId, eventData: { payload: bytes(32) } });
      await create(runId, { eventType: 'hook_disposed', specVersion: SPEC, correlationId: hookId, eventData: { token } });
      const waitId = id('wait');
      await create(runId, { eventType: 'wait_created', specVersion: SPEC, correlationId: waitId, eventData: { resumeAt: new Date(Date.now() + 1000) } });
      await create(runId, { eventType: 'wait_completed', specVersion: SPEC, correlationId: waitId });
      await create(runId, { eventType: 'run_completed', specVersion: SPEC, eventData: { output: bytes(16) } });
    }
    // Reads: runs.get of a small run, and the whole log of a 200-event run as replay reads it.
    const small = await startedRun(world);
    await measure('runs.get', () => world.runs.get(small));
    const big = await startedRun(world);
    for (let n = 2; n + 3 <= 200; n += 3) for (const request of stepEvents(newStepId())) await world.events.create(big, request);
    await meter.take();
    await measure('events.list (200 events, whole log)', () => readWholeLog(world, big));
  } finally {
    await world.close?.();
    await meter.stop();
  }
  // Labels whose cost differed between the three repetitions, with each variant.
  const unstable = Object.fromEntries(
    Object.entries(samples)
      .map(([label, list]) => [label, [...new Set(list.map((c) => JSON.stringify({ requests: c.requests, measured: c.measured, computed: c.computed.totalWcu, rcu: c.computed.rcu })))]])
      .filter(([, variants]) => variants.length > 1)
      .map(([label, variants]) => [label, variants.map((v) => JSON.parse(v))]),
  );
  return { perEvent, unstable, note: 'measured = dynalite ConsumedCapacity (base tables, transactions doubled by the add-on); computed = cost-model.mjs from item images (base + GSIs)' };
}
