// `npm run bench:v5`: sequential (seq20) and fan-out (fanout50) runs through
// the official runtime on both Workflow lines, one row per world:
//   4.8.9 on this world's 4.x facade (memory, local AWS)
//   5.0.0-beta.55 on the SDK's world-local 5 and on this world's 5 facade (memory, local AWS)
// Each run is timed from start() until its status reads `completed` (polled
// every 20 ms), after one warm-up run per row. The 5 app is test/e2e-v5's
// (installed and built by its prepare.mjs); the 4 app is test/e2e's.
//
//   node bench/v5-lines.mjs [--runs=N] [--rows=4-memory,4-aws,5-local,5-memory,5-aws]
//   BENCH_V5_WORLD=<module>   the 5 facade's module (default @workflow/world-aws/v5)
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareV5App, V5_DIR } from '../test/e2e-v5/harness/prepare.mjs';
import { call, E2E_TARGETS, ourWorld, startServer } from './lib/e2e.mjs';
import { spawnServer } from './lib/child-server.mjs';
import { startBenchLocalAws } from './lib/local-aws-process.mjs';
import { now, sleep, summarize } from './lib/stats.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice(7) ?? 5);
const V5_WORLD = process.env.BENCH_V5_WORLD ?? '@workflow/world-aws/v5';
const log = (line) => process.stderr.write(`${line}\n`);

const CASES = [
  { name: 'seq20', workflow: 'sequentialSteps', args: [20], expected: 20 },
  { name: 'fanout50', workflow: 'parallelSteps', args: [50], expected: Array.from({ length: 50 }, (_, i) => i * i) },
];

/** The 5 harness server (test/e2e-v5/harness/server.mjs) in the built 5 app. */
async function startV5Server(appDir, env) {
  const server = await spawnServer({
    name: 'v5 harness server',
    args: [join(V5_DIR, 'harness', 'server.mjs')],
    cwd: appDir,
    env: { ...process.env, ...env, E2E_EXIT_ON_STDIN_EOF: '1' },
    ready: 'E2E_SERVER_READY ',
  });
  return { ...server, base: `http://127.0.0.1:${JSON.parse(server.readyLine).port}/__e2e/` };
}

/** The 5 facade's env: the 4.x targets' env with the 5 facade's module. */
const v5World = (env) => ({ ...ourWorld(env), WORKFLOW_TARGET_WORLD: V5_WORLD });

const ROWS = {
  '4-memory': { line: '4.8.9', world: 'world-aws 4.x facade, memory', start: () => E2E_TARGETS.memory(), server: (env) => startServer(env) },
  '4-aws': { line: '4.8.9', world: 'world-aws 4.x facade, local AWS', start: () => E2E_TARGETS.aws(), server: (env) => startServer(env) },
  '5-local': {
    line: '5.0.0-beta.55',
    world: 'world-local 5.0.0-beta.46',
    start: async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'bench-v5-local-'));
      return { env: { WORKFLOW_TARGET_WORLD: 'local', WORKFLOW_LOCAL_DATA_DIR: dataDir }, stop: () => rm(dataDir, { recursive: true, force: true }) };
    },
    v5: true,
  },
  '5-memory': {
    line: '5.0.0-beta.55',
    world: 'world-aws 5 facade, memory',
    start: async () => ({ env: v5World({ WORKFLOW_AWS_ADAPTERS: 'memory', WORKFLOW_AWS_DELIVERY: 'http' }), stop: async () => {} }),
    v5: true,
  },
  '5-aws': {
    line: '5.0.0-beta.55',
    world: 'world-aws 5 facade, local AWS',
    start: async () => {
      const local = await startBenchLocalAws();
      return { env: v5World({ WORKFLOW_AWS_ADAPTERS: 'aws', WORKFLOW_AWS_DELIVERY: 'http', ...local.env }), stop: () => local.stop() };
    },
    v5: true,
  },
};
const selected = args.find((a) => a.startsWith('--rows='))?.slice(7).split(',') ?? Object.keys(ROWS);
for (const name of selected) if (!ROWS[name]) throw new Error(`unknown row "${name}"; known: ${Object.keys(ROWS).join(', ')}`);

/** start() → status `completed`, polled every 20 ms. */
async function timeRun(base, c) {
  const t0 = now();
  const { runId } = await call(base, 'POST', 'start', { workflow: c.workflow, args: c.args });
  for (;;) {
    const { status } = await call(base, 'GET', `runs/${runId}/status`);
    if (status === 'completed') break;
    if (status === 'failed' || status === 'cancelled') throw new Error(`${c.name} ended ${status}`);
    if (now() - t0 > 120_000) throw new Error(`${c.name} not completed after 120 s`);
    await sleep(20);
  }
  const ms = now() - t0;
  const out = await call(base, 'POST', `runs/${runId}/outcome`, { timeoutMs: 10_000 });
  if (out.outcome !== 'completed' || JSON.stringify(out.value) !== JSON.stringify(c.expected)) throw new Error(`${c.name}: ${JSON.stringify(out).slice(0, 200)}`);
  return ms;
}

async function measureRow(name, v5App) {
  const row = ROWS[name];
  const target = await row.start();
  let server;
  try {
    server = row.v5 ? await startV5Server(v5App, target.env) : await row.server(target.env);
    await timeRun(server.base, { name: 'warm-up', workflow: 'addition', args: [1, 2], expected: 3 });
    const result = {};
    for (const c of CASES) {
      const samples = [];
      for (let i = 0; i < runs; i++) samples.push(await timeRun(server.base, c));
      result[c.name] = summarize(samples);
      log(`  ${name} ${c.name}: p50 ${result[c.name].p50} ms (n=${runs})`);
    }
    return { line: row.line, world: row.world, ...result };
  } catch (error) {
    throw new Error(`${name}: ${error.message}${server ? `\n--- server output ---\n${server.logTail()}` : ''}`);
  } finally {
    await server?.stop();
    await target.stop();
  }
}

if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}
const v5App = selected.some((n) => ROWS[n].v5) ? await prepareV5App({ log }) : undefined;
const results = {};
for (const name of selected) {
  log(`row ${name}…`);
  try {
    results[name] = await measureRow(name, v5App);
  } catch (error) {
    log(`  FAILED: ${error.message.split('\n').slice(0, 12).join('\n')}`);
    results[name] = { line: ROWS[name].line, world: ROWS[name].world, error: error.message.split('\n')[0] };
  }
}

const cell = (s) => (s ? `${Math.round(s.p50)} (${Math.round(s.p95)})` : 'FAIL');
console.log(`\nseq20 and fanout50, ms from start() to status completed: p50 (p95), ${runs} runs each after a warm-up\n`);
console.log('| line | world | seq20 | fanout50 |\n| --- | --- | ---: | ---: |');
for (const r of Object.values(results)) console.log(`| ${r.line} | ${r.world} | ${cell(r.seq20)} | ${cell(r.fanout50)} |`);
await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
await writeFile(join(ROOT, 'bench', 'results', 'v5-lines.json'), `${JSON.stringify({ runs, at: new Date().toISOString(), results }, null, 2)}\n`);
process.exit(Object.values(results).some((r) => r.error) ? 1 : 0);
