// `npm run bench`: storage, contention, cost model and end-to-end numbers for
// @workflow/world-aws on the in-memory adapters and the embedded local AWS,
// from the built package (dist/). Prints tables; writes bench/results/latest.json.
//
//   node bench/run.mjs [--quick] [--only=storage,cost,e2e,fanout,critical,seq100,lag,streams]
//   BENCH_LOCAL_AWS=in-process   run dynalite/fauxqs in this process (default: a child process)
//   BENCH_SKIP_STREAMS=1         skip the streams benchmark (bench/streams.*)
//   BENCH_DELIVERY=in-process    cost: deliver in process (no signed HTTP, so no replay claims; like Lambda mode)
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crossProcessContention } from './lib/contention-worker.mjs';
import { runCostSuite } from './lib/cost-suite.mjs';
import { startDynamoMeter } from './lib/ddb-meter.mjs';
import { meteredRunCosts, runE2e } from './lib/e2e.mjs';
import { fanoutTable, runFanoutBench } from './lib/fanout.mjs';
import { startBenchLocalAws } from './lib/local-aws-process.mjs';
import { AWS_LATENCIES_MS } from './lib/aws-latencies.mjs';
import { runCriticalPath } from './lib/critical-path.mjs';
import { runListingLag } from './lib/listing-lag.mjs';
import { costTable, criticalPathTable, e2eTable, gapsTable, listingLagLines, machine, probesTable, seqGrowthLine, storageTable } from './lib/report.mjs';
import { runSeqGrowth } from './lib/seq-growth.mjs';
import { quickOptions, runStorageSuite, runWithStartedSteps } from './lib/storage-suite.mjs';
import { runStreamsBenchmark } from './lib/streams-runner.mjs';
import { meteredWorkflowCosts, readBaseline, workflowCostTable } from './lib/workflow-cost.mjs';

// The SDK's once-per-process Node 22 notice would repeat for every child process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const WORLD = join(ROOT, 'dist', 'index.js');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const wants = (part) => !only || only.includes(part);
const log = (line) => process.stderr.write(`${line}\n`);

if (!existsSync(WORLD)) {
  console.error(`${WORLD} is missing: run \`npm run build\` first`);
  process.exit(1);
}
const { createWorld } = await import(WORLD);
const options = quick ? quickOptions() : {};
const results = { machine: machine(), quick, localAws: process.env.BENCH_LOCAL_AWS === 'in-process' ? 'in-process' : 'child-process' };

async function storageOnMemory() {
  log('storage: memory adapters');
  const world = createWorld({ adapters: 'memory', consumer: 'none' });
  try {
    return await runStorageSuite(world, options, log);
  } finally {
    await world.close?.();
  }
}

/** Cross-process contention, timed directly, then once more through a counting proxy to see the wasted transactions. */
async function crossProcess(world, env) {
  const n = options.contentionN ?? 50;
  const spec = (dynamodb) => ({ module: WORLD, options: { consumer: 'none', ...(dynamodb ? { endpoints: { dynamodb } } : {}) }, env });
  const [runId, stepIds] = await runWithStartedSteps(world, n);
  const timed = await crossProcessContention({ world: spec(), runId, stepIds, processes: 5 });
  const meter = await startDynamoMeter({ target: env.AWS_ENDPOINT_URL_DYNAMODB, region: env.AWS_REGION, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }, countOnly: true });
  try {
    const [runId2, stepIds2] = await runWithStartedSteps(world, n);
    await meter.take();
    const counted = await crossProcessContention({ world: spec(meter.endpoint), runId: runId2, stepIds: stepIds2, processes: 5 });
    const records = (await meter.take()).filter((r) => r.op === 'TransactWriteItems');
    return { ...timed, countedRun: { totalMs: counted.totalMs, transactions: records.length, cancelled: records.filter((r) => !r.ok).length } };
  } finally {
    await meter.stop();
  }
}

async function onLocalAws() {
  log(`storage + cost: embedded local AWS (${results.localAws})`);
  const aws = await startBenchLocalAws();
  Object.assign(process.env, aws.env);
  const out = {};
  try {
    if (wants('storage')) {
      const world = createWorld({ consumer: 'none' });
      try {
        out.storage = await runStorageSuite(world, options, log);
        log('  cross-process contention…');
        out.storage.crossProcess = await crossProcess(world, aws.env).catch((error) => ({ error: String(error?.message ?? error) }));
      } finally {
        await world.close?.();
      }
    }
    if (wants('cost')) {
      log('  cost model…');
      out.cost = await runCostSuite({ env: aws.env, createWorldVia: (dynamodb) => createWorld({ consumer: 'none', endpoints: { dynamodb } }) });
    }
  } finally {
    await aws.stop();
  }
  return out;
}

async function e2eAll() {
  const out = {};
  for (const target of ['memory', 'aws', 'world-local']) {
    log(`e2e: ${target}`);
    try {
      out[target] = await runE2e(target, { log, ...(quick ? { cases: [{ name: 'addition [1,2]', workflow: 'addition', args: [1, 2], expected: 3, runs: 1 }] } : {}) });
    } catch (error) {
      out[target] = { error: String(error?.message ?? error).slice(0, 2000) };
      log(`  ${target} failed: ${out[target].error.split('\n')[0]}`);
    }
  }
  return out;
}

if (wants('storage')) results.memory = { storage: await storageOnMemory() };
if (wants('storage') || wants('cost')) results.aws = await onLocalAws();
if (wants('e2e')) results.e2e = await e2eAll();
if (wants('cost') && !quick) {
  log('cost: whole runs through the runtime (metered)');
  results.runCosts = await meteredRunCosts({ log }).catch((error) => ({ error: String(error?.message ?? error).slice(0, 2000) }));
  results.workflowCosts = await meteredWorkflowCosts({ log }).catch((error) => ({ error: String(error?.message ?? error).slice(0, 2000) }));
}
if (wants('fanout')) {
  log('fan-out: seq20, fanout50/200/1000 on local AWS (and world-postgres when installed)');
  results.fanout = await runFanoutBench({ quick, log }).catch((error) => ({ error: String(error?.message ?? error).slice(0, 2000) }));
}
const attempt = (promise) => promise.catch((error) => ({ error: String(error?.message ?? error).slice(0, 2000) }));
if (wants('critical')) {
  log('critical path: seq20 through delaying proxies (0 and 10 ms per request)');
  results.criticalPath = await attempt(runCriticalPath({ log, runs: quick ? 1 : 5 }));
}
if (wants('seq100')) {
  log('seq100: time per step at step 100 against step 10');
  results.seqGrowth = await attempt(runSeqGrowth({ log, runs: quick ? 1 : 3, steps: quick ? 30 : 100 }));
}
if (wants('lag')) {
  log('listing lag across processes');
  results.listingLag = await attempt(runListingLag({ log, commits: quick ? 10 : 100 }));
}
if (wants('streams') && process.env.BENCH_SKIP_STREAMS !== '1' && !quick) {
  log('streams: bench/streams.*');
  results.streams = await runStreamsBenchmark();
}

results.machine.loadAvgAtEnd = machine().loadAvgAtStart;
const print = (title, text) => console.log(`\n== ${title}\n${text}`);
console.log(`world-aws benchmarks, ${results.machine.date}, ${results.machine.cpus} × ${results.machine.cpuModel}, node ${results.machine.node}${quick ? ' (--quick: small counts)' : ''}`);
console.log(`local AWS = dynalite + fauxqs on 127.0.0.1 (${results.localAws}); emulator latencies, not DynamoDB's`);
console.log(`load average (1/5/15 min) at start ${results.machine.loadAvgAtStart.join(' ')}, at end ${results.machine.loadAvgAtEnd.join(' ')}`);
const columns = [results.memory && { label: 'memory', storage: results.memory.storage }, results.aws?.storage && { label: 'local AWS', storage: results.aws.storage }].filter(Boolean);
if (columns.length) {
  print('storage', storageTable(columns));
  print('correctness probes', probesTable(columns));
  const cross = results.aws?.storage?.crossProcess?.countedRun;
  if (cross) console.log(`\n5-process burst through a counting proxy: ${cross.transactions} TransactWriteItems for ${results.aws.storage.crossProcess.n} step_completed, ${cross.cancelled} cancelled (conflicts, retried)`);
}
if (results.aws?.cost) print('DynamoDB capacity per operation (measured = dynalite, base tables; computed = AWS sizing rules incl. GSIs)', costTable(results.aws.cost));
if (results.runCosts && !results.runCosts.error) print('DynamoDB capacity per workflow run (local AWS, app process metered, caller polling excluded)', costTable({ perEvent: results.runCosts }));
else if (results.runCosts) print('DynamoDB capacity per workflow run', results.runCosts.error);
if (results.workflowCosts) {
  const title = 'request cost per step, whole runs (computed rules incl. GSIs; on-demand us-east-1 prices, bench/lib/cost-model.mjs)';
  print(title, results.workflowCosts.error ?? workflowCostTable(results.workflowCosts, await readBaseline()));
}
if (results.e2e) {
  print('end to end (official runtime, harness server)', e2eTable(results.e2e));
  for (const [name, c] of Object.entries(results.e2e.aws?.cases ?? {})) if (c.gaps) print(`local AWS, where the time goes: ${name}`, gapsTable(c.gaps));
}
if (results.fanout) print('fan-out and sequential runs, per step (local AWS; world-postgres side by side)', results.fanout.error ?? fanoutTable(results.fanout));
if (results.criticalPath) print('critical path of a sequential step (local AWS through delaying proxies)', results.criticalPath.error ?? criticalPathTable(results.criticalPath, AWS_LATENCIES_MS));
if (results.seqGrowth) print('growth with run length (local AWS)', results.seqGrowth.error ?? seqGrowthLine(results.seqGrowth));
if (results.listingLag) print('listing lag across processes (local AWS)', results.listingLag.error ?? listingLagLines(results.listingLag));
if (results.streams) print('streams (bench/streams.*)', results.streams.output ?? results.streams.error ?? results.streams.skipped);

const outDir = join(ROOT, 'bench', 'results');
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, quick ? 'latest-quick.json' : 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote bench/results/${quick ? 'latest-quick.json' : 'latest.json'}`);
