// Text tables for the benchmark results (stdout); the JSON has everything.
import { cpus, loadavg } from 'node:os';
import { fmt, table } from './stats.mjs';

export function machine() {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAvgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

const pp = (s) => (s && !s.error ? `${fmt(s.p50)} / ${fmt(s.p95)}` : '—');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One column per world: [{ label, storage }] (storage = runStorageSuite result, optional extras). */
export function storageTable(columns) {
  const row = (name, f) => [name, ...columns.map((c) => {
    try {
      return f(c.storage) ?? '—';
    } catch {
      return '—';
    }
  })];
  const contention = (rounds) => `${fmt(median(rounds.map((r) => r.totalMs)), 0)} ms, ${rounds.reduce((a, r) => a + r.failures, 0)} failed`;
  const cross = (c) => (c && !c.error ? `${fmt(c.totalMs, 0)} ms, ${c.failures} failed` : '—');
  const eps = (c) => `${fmt(c.eventsPerSecond, 0)}${c.errors ? ` (${c.errors} failed)` : ''}`;
  const n = columns.find((c) => c.storage.contention?.[0])?.storage.contention[0].n ?? 50;
  return table([
    ['storage (ms: p50 / p95)', ...columns.map((c) => c.label)],
    row('events.create run_created', (s) => pp(s.stepLatency.run_created)),
    row('events.create run_started', (s) => pp(s.stepLatency.run_started)),
    row('events.create step_created', (s) => pp(s.stepLatency.step_created)),
    row('events.create step_started', (s) => pp(s.stepLatency.step_started)),
    row('events.create step_completed', (s) => pp(s.stepLatency.step_completed)),
    row('one run, sequential: events/s', (s) => fmt(s.sequential.eventsPerSecond, 0)),
    row('10 runs concurrently: events/s', (s) => eps(s.concurrent[10])),
    row('  latency under that load', (s) => pp(s.concurrent[10].latency)),
    row('50 runs concurrently: events/s', (s) => eps(s.concurrent[50])),
    row('  latency under that load', (s) => pp(s.concurrent[50].latency)),
    row('events.list, 200-event log (whole)', (s) => `${pp(s.list.read)} (${s.list.pages} pages)`),
    row('runs.get', (s) => pp(s.runsGet)),
    row(`${n} × step_completed on 1 run, 1 process`, (s) => contention(s.contention)),
    row(`  same, spread over 5 processes`, (s) => cross(s.crossProcess)),
  ]);
}

export function probesTable(columns) {
  const cell = (p, countKey) => (p ? `${p.fulfilled} ok${p.rejected.length ? ` (${p.rejected.join(', ')})` : ''}; ${p[countKey]} in log` : '—');
  const row = (name, key, countKey) => [name, ...columns.map((c) => cell(c.storage?.probes?.[key], countKey))];
  return table([
    ['5 identical concurrent requests', ...columns.map((c) => c.label)],
    row('run_started', 'concurrentRunStarted', 'runStartedEvents'),
    row('step_created (same step)', 'concurrentStepCreated', 'stepCreatedEvents'),
    row('step_completed (same step)', 'concurrentStepCompleted', 'stepCompletedEvents'),
    ['step_created, id used by another run', ...columns.map((c) => c.storage?.probes?.stepIdOfAnotherRun?.outcome ?? '—')],
  ]);
}

export function costTable(cost) {
  const rows = Object.entries(cost.perEvent).map(([label, c]) => [
    label,
    Object.entries(c.requests).map(([op, n]) => `${n} ${op}`).join(', '),
    fmt(c.measured.wcu, 0),
    fmt(c.computed.baseWcu, 0),
    fmt(c.computed.indexWcu, 0),
    fmt(c.computed.totalWcu, 0),
    fmt(c.measured.rcu, 1),
    fmt(c.computed.rcu, 1),
  ]);
  return table([['operation', 'DynamoDB requests', 'WCU meas.', 'WCU base', 'WCU GSI', 'WCU total', 'RCU meas.', 'RCU comp.'], ...rows]);
}

export function e2eTable(e2e) {
  const rows = [];
  for (const [target, r] of Object.entries(e2e)) {
    if (r.error) {
      rows.push([target, 'failed', '—', '—', '—']);
      continue;
    }
    for (const [name, c] of Object.entries(r.cases)) {
      rows.push([`${target}: ${name}`, `${c.completed.n}`, pp(c.start), pp(c.completed), pp(c.returnValue)]);
    }
  }
  return table([['end to end (ms: p50 / p95)', 'runs', 'start()', 'start → completed', 'start → returnValue'], ...rows]);
}

export function gapsTable(gaps) {
  return table([['transition (event createdAt gaps)', 'n', 'p50 ms', 'p95 ms'], ...Object.entries(gaps).map(([k, s]) => [k, s.n, fmt(s.p50, 0), fmt(s.p95, 0)])]);
}

/** seq20 at 0 and at the added delay, round trips per step, the chain by request, and the estimate on real AWS. */
export function criticalPathTable(cp, latencies) {
  const lines = [
    `seq${cp.steps}, ${cp.runs} runs each: p50 ${fmt(cp.msAt0.p50, 0)} ms at 0 ms, ${fmt(cp.msAtDelay.p50, 0)} ms at ${cp.delayMs} ms added per request`,
    `round trips per step on the critical path: ${fmt(cp.roundTripsPerStep, 2)} (growth per step / ${cp.delayMs} ms, median of the pairs ${cp.roundTripsPerPair.map((x) => fmt(x, 1)).join(', ')})`,
    `from request timestamps (chain through the delayed runs): ${fmt(cp.chain.total, 2)} per step`,
    '',
    table([['request on the chain', 'per step'], ...Object.entries(cp.chain.byLabel).map(([k, v]) => [k, fmt(v, 2)])]),
    '',
    `estimated p50 per step on real AWS (round trips × in-region latency, by service): ${cp.estimateOnAwsPerStepMs.fromDelay.low}–${cp.estimateOnAwsPerStepMs.fromDelay.high} ms with the delay's count, ${cp.estimateOnAwsPerStepMs.fromChain.low}–${cp.estimateOnAwsPerStepMs.fromChain.high} ms with the chain's`,
    table([['service', 'latency low–high ms', 'source'], ...Object.entries(latencies).map(([k, v]) => [k, `${v.low}–${v.high}`, v.source])]),
    '',
    'one step in the middle of a delayed run (ms from its first request; * = on the chain):',
    ...cp.sampleStep.map((r) => `  ${r.critical ? '*' : ' '} ${String(r.startMs).padStart(5)} → ${String(r.endMs).padStart(5)}  ${r.request}`),
  ];
  return lines.join('\n');
}

export function seqGrowthLine(g) {
  const runs = g.runs.map((r) => `${fmt(r.step10Ms, 0)} → ${fmt(r.step100Ms, 0)} ms (${fmt(r.ratio, 2)}×, run ${fmt(r.totalMs / 1000, 1)} s)`).join('; ');
  const work = g.runs.map((r) => `${fmt(r.itemsReadAtStep10, 0)} → ${fmt(r.itemsReadAtStep100, 0)}`).join('; ');
  return [
    `seq${g.steps}, median step 6–15 → last 10 steps: ${runs}; ratio p50 ${fmt(g.ratioP50, 2)} (target ≤ 1.2)`,
    `DynamoDB items read per step, same windows: ${work}; ratio p50 ${fmt(g.itemsReadRatioP50, 2)}; requests per step ratio p50 ${fmt(g.requestsRatioP50, 2)}`,
  ].join('\n');
}

export function listingLagLines(lag) {
  const row = (name, s) => `${name}: p50 ${fmt(s.p50, 0)} ms, p99 ${fmt(s.p99, 0)} ms, max ${fmt(s.max, 0)} ms${s.notSeenWithin30s ? `, ${s.notSeenWithin30s} not seen within 30 s` : ''}`;
  return [`${lag.commits} commits, polled every ${lag.pollMs} ms from another process`, row('runs.list', lag.runsList), row('steps.list', lag.stepsList)].join('\n');
}
