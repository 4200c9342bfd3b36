// Growth with run length on world-aws: a 100-step sequential run (seq100),
// time per step read from the run's own log (the gap between consecutive
// step_completed events' createdAt). Reported: the median step around step 10
// (steps 6-15) and at the end (steps 91-100), and their ratio (target ≤ 1.2).
// Windows, not single steps, because one step's time swings with the load.
// The same ratio for the DynamoDB requests and items read per step (every
// request through the stack's proxy, a step's being those that ended after
// the previous step_completed commit and up to its own): work, which the
// machine's load does not change.
import { startAwsStack } from './aws-stack.mjs';
import { call, untilCompleted } from './e2e.mjs';
import { listAll } from './storage-suite.mjs';
import { summarize } from './stats.mjs';

const median = (xs) => summarize(xs).p50;

/** Per-step durations (ms) of a finished run from its log: step k ends at its step_completed. */
export function stepDurations(events) {
  const done = events.filter((e) => e.eventType === 'step_completed').map((e) => new Date(e.createdAt).getTime());
  const started = events.find((e) => e.eventType === 'run_started');
  const times = [started ? new Date(started.createdAt).getTime() : done[0], ...done];
  return times.slice(1).map((t, i) => t - times[i]);
}

/** Ratio of the median step at the end (last 10) to the median around step 10 (steps 6-15). */
export function growth(durations) {
  const early = median(durations.slice(5, 15));
  const late = median(durations.slice(-10));
  return { step10Ms: early, step100Ms: late, ratio: Math.round((late / early) * 100) / 100 };
}

/** Items a DynamoDB read returned (Query: Count; GetItem: 0 or 1; BatchGetItem: all tables). */
function itemsRead(r) {
  if (r.op === 'Query') return r.response?.Count ?? 0;
  if (r.op === 'GetItem') return r.response?.Item ? 1 : 0;
  if (r.op === 'BatchGetItem') return Object.values(r.response?.Responses ?? {}).reduce((n, items) => n + items.length, 0);
  return 0;
}

/** DynamoDB requests and items read per step, a step's window ending at its step_completed commit. */
export function workPerStep(records) {
  const ends = records.filter((r) => r.kind === 'step_completed').map((r) => r.end).sort((a, b) => a - b);
  const steps = ends.map(() => ({ requests: 0, itemsRead: 0 }));
  for (const r of records) {
    const k = ends.findIndex((end) => r.end <= end);
    if (k < 0) continue;
    steps[k].requests++;
    steps[k].itemsRead += r.items;
  }
  return steps;
}

const ratioOf = (xs) => growth(xs).ratio;

export async function runSeqGrowth({ log = () => {}, runs = 2, steps = 100 } = {}) {
  let records = null;
  const stack = await startAwsStack({ observe: (r) => r.service === 'dynamodb' && records?.push({ kind: r.kind, end: r.end, items: itemsRead(r) }) });
  try {
    await untilCompleted(stack.reader, (await call(stack.server.base, 'POST', 'start', { workflow: 'sequentialSteps', args: [5] })).runId, 'warm-up', 60_000);
    const samples = [];
    for (let i = 0; i < runs; i++) {
      records = [];
      const { runId } = await call(stack.server.base, 'POST', 'start', { workflow: 'sequentialSteps', args: [steps] });
      const totalMs = await untilCompleted(stack.reader, runId, `seq${steps}`, 900_000);
      const work = workPerStep(records);
      records = null;
      const sample = {
        totalMs: Math.round(totalMs),
        ...growth(stepDurations(await listAll(stack.reader, runId))),
        requestsRatio: ratioOf(work.map((w) => w.requests)),
        itemsReadRatio: ratioOf(work.map((w) => w.itemsRead)),
        itemsReadAtStep10: growth(work.map((w) => w.itemsRead)).step10Ms,
        itemsReadAtStep100: growth(work.map((w) => w.itemsRead)).step100Ms,
      };
      log(`  seq${steps}: run ${i + 1}/${runs}: ${JSON.stringify(sample)}`);
      samples.push(sample);
    }
    return { steps, runs: samples, ratioP50: median(samples.map((s) => s.ratio)), requestsRatioP50: median(samples.map((s) => s.requestsRatio)), itemsReadRatioP50: median(samples.map((s) => s.itemsReadRatio)) };
  } finally {
    await stack.stop();
  }
}
