// Fan-out and sequential runs through the official runtime, per step: SQS
// messages sent, SQS requests, handler calls, workflow replays, and the
// DynamoDB capacity of the queue's own records (send claims, delivery leases,
// wake-up marks: items whose pk starts with `Q#`). world-postgres runs the
// same scenarios side by side when it and PostgreSQL are installed, as its
// README configures it, and then on a plain server as the check
// (world-postgres.mjs; fanout1000 only with BENCH_PG_FANOUT1000=1;
// BENCH_SKIP_POSTGRES=1 skips world-postgres, BENCH_SKIP_PLAIN=1 the check;
// a run past BENCH_RUN_CAP_S, default 900, is stopped and reported as `> cap`).
// BENCH_FANOUT=seq20,fanout200 picks scenarios; any other width on request
// (BENCH_FANOUT=fanout600); BENCH_FANOUT_RUNS=n overrides the runs of each fan-out,
// BENCH_SEQ_RUNS=n those of seq20 (e.g. a longer window for BENCH_CPU_PROF).
// DynamoDB: every request and the items reads returned (all tables), per step.
//
// Counting: the app server talks to DynamoDB, SQS and S3 through proxies
// (aws-stack.mjs, aws-proxy.mjs); handler calls and replays are the runtime's
// queue handler calls, counted by a seam around either world
// (test/e2e/harness/counting-world.cjs), so the replays world-aws runs in
// process right after a step count too.
import { ensureWorkflowsBuilt } from '../../scripts/lib/build-workflows.mjs';
import { startAwsStack } from './aws-stack.mjs';
import { APP, call } from './e2e.mjs';
import { now, sleep, summarize } from './stats.mjs';
import { PLAIN_AGREEMENT, plainAgreement, startHarnessOnPostgres, startPlainOnPostgres, startPostgresWorld } from './world-postgres.mjs';

const QUEUE_RECORD_PREFIX = 'Q#';
/** A run still going after this is stopped and reported as a bound (`> cap`), not a time (BENCH_RUN_CAP_S, default 900). */
const RUN_CAP_MS = Number(process.env.BENCH_RUN_CAP_S ?? 900) * 1000;

const sumOfSquares = (n) => ((n - 1) * n * (2 * n - 1)) / 6;

/** name, workflow, args, steps (step bodies per run), check(value), runs. */
export function fanoutScenarios({ quick = false, only = process.env.BENCH_FANOUT?.split(',') } = {}) {
  const fan = (n, runs) => ({
    name: `fanout${n}`,
    workflow: 'countedFanOut',
    args: (i) => [n, `bench-${n}-${i}-${process.pid}`],
    steps: n + 1, // n squares plus the step that counts body runs
    check: (v) => v?.sum === sumOfSquares(n) && v?.steps === n && v?.maxRuns === 1,
    runs: Number(process.env.BENCH_FANOUT_RUNS ?? runs),
  });
  const seq = { name: 'seq20', workflow: 'sequentialSteps', args: () => [20], steps: 20, check: (v) => v === 20, runs: Number(process.env.BENCH_SEQ_RUNS ?? (quick ? 1 : 3)) };
  const all = quick ? [seq, fan(50, 1)] : [seq, fan(50, 3), fan(200, 3), fan(1000, 1)];
  if (!only) return all;
  // Any other width on request (the growth curve): BENCH_FANOUT=fanout400,fanout600.
  return only.map((name) => all.find((s) => s.name === name) ?? (/^fanout[1-9]\d*$/.test(name) ? fan(Number(name.slice(6)), 1) : undefined)).filter(Boolean);
}

function newCounters() {
  return { sqsRequests: 0, sqsSent: 0, sqsReceived: 0, sqsOps: {}, queueRecordWcu: 0, queueRecordRcu: 0, queueRecordRequests: 0, ddbRequests: 0, ddbOps: {}, ddbItemsRead: 0 };
}

/** SQS: requests, messages sent and received. DynamoDB: capacity of the queue's records (a failed conditional write still costs 1 WCU). */
function meter(counters) {
  const isQueueRecord = (body) => String(body?.Key?.pk?.S ?? '').startsWith(QUEUE_RECORD_PREFIX);
  const observe = ({ service, op, body, response, status }) => {
    const c = counters.current;
    if (service === 'sqs') {
      c.sqsRequests++;
      c.sqsOps[op] = (c.sqsOps[op] ?? 0) + 1;
      if (op === 'SendMessage') c.sqsSent++;
      if (op === 'SendMessageBatch') c.sqsSent += body?.Entries?.length ?? 0;
      if (op === 'ReceiveMessage') c.sqsReceived += response?.Messages?.length ?? 0;
    }
    if (service !== 'dynamodb') return;
    c.ddbRequests++;
    c.ddbOps[op] = (c.ddbOps[op] ?? 0) + 1;
    // Items a read returned (Query: Count; GetItem: 0 or 1; BatchGetItem: all tables).
    if (op === 'Query') c.ddbItemsRead += response?.Count ?? 0;
    else if (op === 'GetItem') c.ddbItemsRead += response?.Item ? 1 : 0;
    else if (op === 'BatchGetItem') for (const items of Object.values(response?.Responses ?? {})) c.ddbItemsRead += items.length;
    if (!isQueueRecord(body)) return;
    c.queueRecordRequests++;
    const units = response?.ConsumedCapacity?.CapacityUnits;
    if (op === 'GetItem') c.queueRecordRcu += units ?? 1;
    else c.queueRecordWcu += status === 200 ? (units ?? 1) : 1;
  };
  const rewrite = { dynamodb: (body) => (isQueueRecord(body) ? { ...body, ReturnConsumedCapacity: 'TOTAL' } : body) };
  return { observe, rewrite };
}

async function runOnce(server, scenario, i, counters) {
  const before = await call(server.base, 'GET', 'route-calls').catch(() => undefined);
  if (counters.metered) counters.current = newCounters();
  const t0 = now();
  const { runId } = await call(server.base, 'POST', 'start', { workflow: scenario.workflow, args: scenario.args(i) });
  for (let resets = 0; ; ) {
    // A replay at width 1 000 holds the server's event loop for seconds: a reused keep-alive socket can be reset.
    const { status } = await call(server.base, 'GET', `runs/${runId}/status`).catch((error) => {
      if (++resets > 20) throw error;
      return { status: 'unknown' };
    });
    if (status === 'completed') break;
    if (status === 'failed' || status === 'cancelled') throw new Error(`${scenario.name} ended ${status}`);
    if (now() - t0 > RUN_CAP_MS) throw Object.assign(new Error(`${scenario.name} not completed after ${RUN_CAP_MS / 1000} s`), { exceededMs: RUN_CAP_MS });
    await sleep(50);
  }
  const ms = now() - t0;
  const out = await call(server.base, 'POST', `runs/${runId}/outcome`, { timeoutMs: 10_000 });
  if (out.outcome !== 'completed' || !scenario.check(out.value)) throw new Error(`${scenario.name}: wrong result ${JSON.stringify(out).slice(0, 300)}`);
  await sleep(300); // late acks and deferred copies
  const after = await call(server.base, 'GET', 'route-calls').catch(() => undefined);
  // Handler calls counted where they run (the seam); HTTP route calls when the seam is absent.
  const calls = (r) => r?.handlers ?? r;
  const [from, to] = [calls(before), calls(after)];
  return { ms, counters: counters.metered ? counters.current : undefined, routes: from && to ? { flow: to.flow - from.flow, step: to.step - from.step } : undefined };
}

function perStep(scenario, samples) {
  const per = (f) => summarize(samples.map((s) => f(s) / scenario.steps)).p50;
  const first = samples[0];
  return {
    totalMs: summarize(samples.map((s) => s.ms)),
    perStep: {
      sqsMessagesSent: first.counters ? per((s) => s.counters.sqsSent) : null,
      sqsRequests: first.counters ? per((s) => s.counters.sqsRequests) : null,
      handlerCalls: first.routes ? per((s) => s.routes.flow + s.routes.step) : null,
      workflowReplays: first.routes ? per((s) => s.routes.flow) : null,
      queueRecordWcu: first.counters ? per((s) => s.counters.queueRecordWcu) : null,
      queueRecordRcu: first.counters ? per((s) => s.counters.queueRecordRcu) : null,
      dynamodbRequests: first.counters ? per((s) => s.counters.ddbRequests) : null,
      dynamodbItemsRead: first.counters ? per((s) => s.counters.ddbItemsRead) : null,
    },
    sqsOps: first.counters?.sqsOps,
    dynamodbOps: first.counters?.ddbOps,
  };
}

const describeError = (error) => `${error?.message ?? error}${error?.cause ? ` (${error.cause.code ?? error.cause.message ?? error.cause})` : ''}`;

async function runScenarios(server, scenarios, counters, log, label) {
  const out = {};
  await runOnce(server, { ...scenarios[0], runs: 1 }, 'warm', counters); // warm-up: lazy init, JIT
  for (const scenario of scenarios) {
    log(`  fan-out ${label}: ${scenario.name} × ${scenario.runs}…`);
    try {
      const samples = [];
      for (let i = 0; i < scenario.runs; i++) samples.push(await runOnce(server, scenario, i, counters));
      out[scenario.name] = perStep(scenario, samples);
      log(`    p50 ${Math.round(out[scenario.name].totalMs.p50)} ms, per step ${JSON.stringify(out[scenario.name].perStep)}`);
    } catch (error) {
      out[scenario.name] = { error: describeError(error), ...(error?.exceededMs ? { exceededMs: error.exceededMs } : {}) };
      log(`    failed: ${out[scenario.name].error}`);
    }
  }
  return out;
}

async function onStack(proxyOptions, scenarios, counters, log, label) {
  const stack = await startAwsStack(proxyOptions);
  try {
    return await runScenarios(stack.server, scenarios, counters, log, label);
  } catch (error) {
    throw new Error(`${error.message}\n--- server output ---\n${stack.server.logTail()}`);
  } finally {
    await stack.stop();
  }
}

/**
 * Our world on the embedded local AWS. Timed without the metering proxies, as
 * an app runs against `aws-workflow dev` (the proxies are a third process on
 * every request's path, which world-postgres's requests do not cross); then one
 * metered run per scenario, on a fresh stack through the proxies, gives the
 * per-step counts. BENCH_TIME_METERED=1 times the metered runs instead (the
 * bench before this split).
 */
async function onLocalAws(scenarios, log) {
  const counters = { metered: true, current: newCounters() };
  if (process.env.BENCH_TIME_METERED === '1') return onStack(meter(counters), scenarios, counters, log, 'world-aws, local AWS, metered');
  const timed = await onStack({ direct: true }, scenarios, { metered: false }, log, 'world-aws, local AWS');
  const once = scenarios.map((s) => ({ ...s, runs: 1 }));
  const metered = await onStack(meter(counters), once, counters, log, 'world-aws, local AWS, metered (counts only)');
  const out = {};
  for (const { name } of scenarios) {
    const [t, m] = [timed[name], metered[name]];
    out[name] = t?.error ? t : { ...t, perStep: { ...t.perStep, ...pickCounts(m) }, sqsOps: m?.sqsOps, dynamodbOps: m?.dynamodbOps, meteredMs: m?.totalMs?.p50 };
  }
  return out;
}

/** The per-step counts only the metered run has (the timed run's handler calls and replays are kept). */
function pickCounts(metered) {
  if (!metered?.perStep) return {};
  const { handlerCalls: _h, workflowReplays: _r, ...counts } = metered.perStep;
  return counts;
}

/** Scenarios on one world-postgres server, or the error with the server's output. */
async function onPostgresServer(start, scenarios, log, label) {
  let server;
  try {
    server = await start();
    return await runScenarios(server, scenarios, { metered: false }, log, label);
  } catch (error) {
    return { error: `${String(error?.message ?? error).slice(0, 1500)}${server ? `\n${server.logTail()}` : ''}` };
  } finally {
    await server?.stop();
  }
}

/** Scenarios on a fresh world-postgres database behind the server `start(url)` makes, or why it was skipped. */
async function onPostgresDatabase(start, scenarios, log, label) {
  const pg = await startPostgresWorld();
  if (pg.skipped) return pg;
  try {
    return await onPostgresServer(() => start(pg.url), scenarios, log, label);
  } finally {
    await pg.stop();
  }
}

/** world-postgres with the bench's harness, then the plain server on a fresh database of its own (the check). */
async function onPostgres(scenarios, log) {
  // fanout1000 takes world-postgres minutes here: only on request.
  const wanted = process.env.BENCH_PG_FANOUT1000 === '1' ? scenarios : scenarios.filter((s) => s.name !== 'fanout1000');
  const bench = await onPostgresDatabase(startHarnessOnPostgres, wanted, log, 'world-postgres');
  if (bench.skipped || process.env.BENCH_SKIP_PLAIN === '1') return { ...bench, plain: { skipped: bench.skipped ?? 'BENCH_SKIP_PLAIN=1' } };
  // A scenario that ran past the cap on the bench's server would only do so again: the check runs the others.
  const checked = wanted.filter((s) => !bench[s.name]?.exceededMs);
  const plain = await onPostgresDatabase((url) => startPlainOnPostgres(url, APP), checked, log, 'world-postgres, plain server');
  return { ...bench, plain, agreement: plainAgreement(bench, plain) };
}

export async function runFanoutBench({ quick = false, log = () => {} } = {}) {
  await ensureWorkflowsBuilt(APP);
  const scenarios = fanoutScenarios({ quick });
  const aws = await onLocalAws(scenarios, log).catch((error) => ({ error: describeError(error).slice(0, 3000) }));
  const postgres = process.env.BENCH_SKIP_POSTGRES === '1' ? { skipped: 'BENCH_SKIP_POSTGRES=1' } : await onPostgres(scenarios, log);
  return { scenarios: scenarios.map((s) => ({ name: s.name, steps: s.steps, runs: s.runs })), aws, postgres };
}

/** A plain-text table: one row per scenario, ours and world-postgres side by side. */
export function fanoutTable({ scenarios, aws, postgres }) {
  const fmt = (x, digits = 2) => (x === null || x === undefined ? '–' : Number(x).toFixed(digits));
  const plain = postgres?.plain;
  const rows = [['scenario', 'steps', 'aws p50 ms', 'pg p50 ms', 'pg plain p50 ms', 'aws/pg', 'SQS sent/step', 'SQS req/step', 'handler calls/step', 'replays/step', 'pg replays/step', 'Q# WCU/step', 'Q# RCU/step', 'DDB req/step', 'DDB items read/step']];
  for (const s of scenarios) {
    const a = aws?.[s.name];
    const p = postgres?.[s.name];
    const ratio = a?.totalMs && p?.totalMs ? a.totalMs.p50 / p.totalMs.p50 : undefined;
    // world-postgres stopped at the cap: its time is a lower bound, so the ratio an upper one.
    const bound = a?.totalMs && p?.exceededMs ? a.totalMs.p50 / p.exceededMs : undefined;
    rows.push([
      s.name,
      String(s.steps),
      a?.error ? 'failed' : fmt(a?.totalMs?.p50, 0),
      p?.exceededMs ? `>${p.exceededMs}` : p?.error ? 'failed' : fmt(p?.totalMs?.p50, 0),
      plain?.[s.name]?.error ? 'failed' : fmt(plain?.[s.name]?.totalMs?.p50, 0),
      bound !== undefined ? `<${fmt(bound)}` : fmt(ratio),
      fmt(a?.perStep?.sqsMessagesSent),
      fmt(a?.perStep?.sqsRequests),
      fmt(a?.perStep?.handlerCalls),
      fmt(a?.perStep?.workflowReplays),
      fmt(p?.perStep?.workflowReplays),
      fmt(a?.perStep?.queueRecordWcu),
      fmt(a?.perStep?.queueRecordRcu),
      fmt(a?.perStep?.dynamodbRequests),
      fmt(a?.perStep?.dynamodbItemsRead),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((c, i) => c.padStart(widths[i])).join('  '));
  const metered = scenarios.filter((s) => aws?.[s.name]?.meteredMs !== undefined);
  if (metered.length) {
    const list = metered.map((s) => `${s.name} ${fmt(aws[s.name].meteredMs, 0)} ms`).join(', ');
    lines.push(`world-aws p50: timed without the metering proxies (as under \`aws-workflow dev\`); SQS/DDB counts from one metered run each (${list})`);
  }
  if (aws?.error) lines.push(`world-aws failed: ${aws.error.split('\n')[0]}`);
  for (const s of scenarios) {
    if (aws?.[s.name]?.error) lines.push(`world-aws ${s.name} failed: ${aws[s.name].error}`);
    if (postgres?.[s.name]?.exceededMs) lines.push(`world-postgres ${s.name}: not completed within ${postgres[s.name].exceededMs / 1000} s, stopped (its p50 is at least that; not run on the plain server)`);
    else if (postgres?.[s.name]?.error) lines.push(`world-postgres ${s.name} failed: ${postgres[s.name].error}`);
  }
  if (postgres?.skipped) lines.push(`world-postgres skipped: ${postgres.skipped}`);
  if (plain?.skipped && !postgres?.skipped) lines.push(`world-postgres plain-server check skipped: ${plain.skipped}`);
  else if (plain?.error) lines.push(`world-postgres plain server failed: ${plain.error.split('\n')[0]}`);
  if (postgres?.agreement) {
    const { ratios, agrees } = postgres.agreement;
    const list = Object.entries(ratios).map(([name, r]) => `${name} ${r.toFixed(2)}`).join(', ');
    lines.push(`world-postgres, bench / plain server p50: ${list}: ${agrees ? 'AGREES' : 'DOES NOT AGREE'} (within ${PLAIN_AGREEMENT}×)`);
  }
  if (postgres?.error) lines.push(`world-postgres failed: ${postgres.error.split('\n')[0]}`);
  return lines.join('\n');
}
