// End to end through the official runtime, reusing the e2e harness: the
// fixture app is built by scripts/lib/build-workflows.mjs and served by
// test/e2e/harness/server.mjs (a child process whose control API calls
// workflow/api). The target envs mirror test/e2e/harness/targets.ts, which is
// TypeScript and so cannot be imported from plain Node.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWorkflowsBuilt } from '../../scripts/lib/build-workflows.mjs';
import { spawnServer } from './child-server.mjs';
import { aggregate } from './cost-suite.mjs';
import { startDynamoMeter } from './ddb-meter.mjs';
import { startBenchLocalAws } from './local-aws-process.mjs';
import { now, sleep, summarize } from './stats.mjs';
import { listAll } from './storage-suite.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const APP = join(ROOT, 'test', 'e2e', 'fixtures', 'app');
/** Test seam: any world with the runtime's handler calls counted where they run (E2E_WORLD_ENTRY = the world). */
export const COUNTING_WORLD = join(ROOT, 'test', 'e2e', 'harness', 'counting-world.cjs');
const SERVER = join(ROOT, 'test', 'e2e', 'harness', 'server.mjs');
const WORLD = join(ROOT, 'dist', 'index.js');
const READY = 'E2E_SERVER_READY ';

/** name → start(): { env, stop } — as in targets.ts. */
export const E2E_TARGETS = {
  memory: async () => ({ env: ourWorld({ WORKFLOW_AWS_ADAPTERS: 'memory', WORKFLOW_AWS_DELIVERY: 'http' }), stop: async () => {} }),
  aws: async () => {
    const local = await startBenchLocalAws();
    // A second world on the same local AWS reads the runs' logs for eventGaps().
    const reader = await readerWorld(local.env);
    return {
      env: ourWorld({ WORKFLOW_AWS_ADAPTERS: 'aws', WORKFLOW_AWS_DELIVERY: 'http', ...local.env }),
      readLog: (runId) => listAll(reader, runId),
      stop: async () => {
        await reader.close?.();
        await local.stop();
      },
    };
  },
  // The SDK's own file-system world, as a reference point.
  'world-local': async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'bench-world-local-'));
    return { env: { WORKFLOW_TARGET_WORLD: 'local', WORKFLOW_LOCAL_DATA_DIR: dataDir }, stop: () => rm(dataDir, { recursive: true, force: true }) };
  },
};

export async function readerWorld(env) {
  const { createWorld } = await import(WORLD);
  // The SDK takes credentials from process.env; these are the emulator's dummy keys.
  process.env.AWS_ACCESS_KEY_ID ??= env.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY ??= env.AWS_SECRET_ACCESS_KEY;
  const endpoints = { dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB, sqs: env.AWS_ENDPOINT_URL_SQS, s3: env.AWS_ENDPOINT_URL_S3 };
  return createWorld({ consumer: 'none', adapters: 'aws', name: env.WORKFLOW_AWS_NAME, region: env.AWS_REGION, endpoints, s3ForcePathStyle: true });
}

/**
 * Where a run's time goes: the gap between consecutive events of its log
 * (createdAt, ms), by transition, e.g. step_completed→step_created is the
 * workflow-queue hop plus a replay. Only types and timestamps are read.
 */
async function eventGaps(readLog, runIds) {
  const gaps = {};
  for (const runId of runIds) {
    const log = await readLog(runId);
    for (let i = 1; i < log.length; i++) {
      const key = `${log[i - 1].eventType} → ${log[i].eventType}`;
      (gaps[key] ??= []).push(new Date(log[i].createdAt).getTime() - new Date(log[i - 1].createdAt).getTime());
    }
  }
  return Object.fromEntries(Object.entries(gaps).map(([k, v]) => [k, summarize(v)]));
}

export function ourWorld(env) {
  return { WORKFLOW_TARGET_WORLD: WORLD, WORKFLOW_AWS_SIGNING_SECRET: randomBytes(32).toString('hex'), ...env };
}

/** The harness server with `env`, on top of this process's environment unless inheritEnv is false. */
export async function startServer(env, { inheritEnv = true } = {}) {
  const base = inheritEnv ? process.env : { PATH: process.env.PATH };
  const server = await spawnServer({ name: 'harness server', args: [SERVER], cwd: APP, env: { ...base, ...env, E2E_EXIT_ON_STDIN_EOF: '1' }, ready: READY });
  return { ...server, base: `http://127.0.0.1:${JSON.parse(server.readyLine).port}/__e2e/` };
}

export async function call(base, method, path, body, timeoutMs = 90_000) {
  const res = await fetch(base + path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json?.error?.name}: ${json?.error?.message}`);
  return json;
}

/** start() → returnValue, as a caller of the official API sees it (returnValue polls runs.get every 1 s). */
async function viaReturnValue(base, workflow, args, expected) {
  const t0 = now();
  const { runId } = await call(base, 'POST', 'start', { workflow, args });
  const startMs = now() - t0;
  const out = await call(base, 'POST', `runs/${runId}/outcome`, { timeoutMs: 60_000 });
  if (out.outcome !== 'completed' || out.value !== expected) throw new Error(`${workflow}: ${JSON.stringify(out).slice(0, 300)}`);
  return { startMs, totalMs: now() - t0 };
}

/** start() → status 'completed', polled every 20 ms: when the run actually finished. */
async function viaStatusPoll(base, workflow, args) {
  const t0 = now();
  const { runId } = await call(base, 'POST', 'start', { workflow, args });
  for (;;) {
    const { status } = await call(base, 'GET', `runs/${runId}/status`);
    if (status === 'completed') return { ms: now() - t0, runId };
    if (status === 'failed' || status === 'cancelled') throw new Error(`${workflow} ended ${status}`);
    if (now() - t0 > 60_000) throw new Error(`${workflow} not completed after 60 s`);
    await sleep(20);
  }
}

/** The fixture app built, a fresh local AWS, and a metering proxy in front of its DynamoDB. */
export async function meteredLocalAws() {
  await ensureWorkflowsBuilt(APP);
  const local = await startBenchLocalAws();
  const { env } = local;
  const meter = await startDynamoMeter({
    target: env.AWS_ENDPOINT_URL_DYNAMODB,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  return { local, env, meter };
}

/** Waits for a started run to complete (throws if it fails or takes longer than `timeoutMs`); returns how long it took. */
export async function untilCompleted(reader, runId, label, timeoutMs) {
  const t0 = now();
  for (;;) {
    const { status } = await reader.runs.get(runId);
    if (status === 'completed') return now() - t0;
    if (status === 'failed' || status === 'cancelled') throw new Error(`${label} ended ${status}`);
    if (now() - t0 > timeoutMs) throw new Error(`${label}: not completed after ${timeoutMs / 1000} s`);
    await sleep(20);
  }
}

/** `runOnce` for each case after one warm-up run, results by case name. */
export async function meterCases(cases, warmUp, runOnce, log, what) {
  await runOnce(warmUp);
  const out = {};
  for (const c of cases) {
    log(`  metered ${what}: ${c.name}…`);
    out[c.name] = await runOnce(c);
  }
  return out;
}

export const E2E_CASES = [
  { name: 'addition [1,2]', workflow: 'addition', args: [1, 2], expected: 3, runs: 5 },
  { name: '10 sequential steps', workflow: 'sequentialSteps', args: [10], expected: 10, runs: 3 },
];

/** Runs every case on one target; returns per-case summaries. */
export async function runE2e(targetName, { cases = E2E_CASES, log = () => {} } = {}) {
  await ensureWorkflowsBuilt(APP);
  const target = await E2E_TARGETS[targetName]();
  let server;
  try {
    server = await startServer(target.env);
    const first = await viaReturnValue(server.base, 'addition', [1, 2], 3); // warm-up: lazy init, JIT
    const results = { firstRunMs: Math.round(first.totalMs), cases: {} };
    for (const c of cases) {
      log(`  e2e ${targetName}: ${c.name}…`);
      const returned = [];
      const starts = [];
      const completed = [];
      const runIds = [];
      for (let i = 0; i < c.runs; i++) {
        const r = await viaReturnValue(server.base, c.workflow, c.args, c.expected);
        returned.push(r.totalMs);
        starts.push(r.startMs);
        const polled = await viaStatusPoll(server.base, c.workflow, c.args);
        completed.push(polled.ms);
        runIds.push(polled.runId);
      }
      results.cases[c.name] = { start: summarize(starts), returnValue: summarize(returned), completed: summarize(completed) };
      if (target.readLog) results.cases[c.name].gaps = await eventGaps(target.readLog, runIds);
    }
    return results;
  } catch (error) {
    throw new Error(`${error.message}${server ? `\n--- server output ---\n${server.logTail()}` : ''}`);
  } finally {
    await server?.stop();
    await target.stop();
  }
}

/**
 * DynamoDB capacity of whole runs as the runtime drives them: the app
 * server's DynamoDB endpoint is the metering proxy, and completion is
 * watched by a second world that talks to dynalite directly (so the caller's
 * polling is not counted). Counts everything the app sent from start() to
 * completion + 0.5 s (queue idempotency claims, replays, commits).
 */
export async function meteredRunCosts({ cases = E2E_CASES, log = () => {} } = {}) {
  const { local, env, meter } = await meteredLocalAws();
  const reader = await readerWorld(env);
  let server;
  try {
    server = await startServer(ourWorld({ WORKFLOW_AWS_ADAPTERS: 'aws', WORKFLOW_AWS_DELIVERY: 'http', ...env, AWS_ENDPOINT_URL_DYNAMODB: meter.endpoint }));
    const runOnce = async (c) => {
      await meter.take();
      const { runId } = await call(server.base, 'POST', 'start', { workflow: c.workflow, args: c.args });
      await untilCompleted(reader, runId, c.name, 60_000);
      await sleep(500);
      return aggregate(await meter.take());
    };
    return await meterCases(cases, cases[0], runOnce, log, 'run');
  } finally {
    await server?.stop();
    await reader.close?.();
    await meter.stop();
    await local.stop();
  }
}
