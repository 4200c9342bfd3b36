// seq20 on world-aws, timed with and without the bench's metering proxies, with
// each process's CPU per run and (through the proxies) the requests per run by
// operation and item kind; world-postgres too (PROBE_MODES=postgres). A probe for
// where seq20's wall time goes.
//   PROBE_MODES=proxied,direct,postgres node bench/seq-probe.mjs [runs]
//   (BENCH_CPU_PROF=<dir> profiles the children; PROBE_TRACE=1 prints the last 60 requests)
import { startAwsStack } from './lib/aws-stack.mjs';
import { call, ourWorld, startServer } from './lib/e2e.mjs';
import { counted } from './lib/aws-stack.mjs';
import { startBenchLocalAws } from './lib/local-aws-process.mjs';
import { now, sleep, summarize } from './lib/stats.mjs';
import { cpuSpent, processCpu } from './lib/process-cpu.mjs';

const runs = Number(process.argv[2] ?? 5);
// PROBE_WORKFLOW=parallelSteps PROBE_ARGS=[50]: another workflow of the fixture app (fanout50 as the cost bench runs it).
const workflow = process.env.PROBE_WORKFLOW ?? 'sequentialSteps';
const args = JSON.parse(process.env.PROBE_ARGS ?? '[20]');

async function seq20(base) {
  const t0 = now();
  const { runId } = await call(base, 'POST', 'start', { workflow, args });
  for (;;) {
    const { status } = await call(base, 'GET', `runs/${runId}/status`);
    if (status === 'completed') return now() - t0;
    if (status !== 'running' && status !== 'pending') throw new Error(status);
    await sleep(50);
  }
}

async function series(base, label) {
  await seq20(base);
  const ms = [];
  const before = processCpu();
  for (let i = 0; i < runs; i++) ms.push(await seq20(base));
  const spent = cpuSpent(before, processCpu());
  const s = summarize(ms);
  console.log(`${label}: p50 ${Math.round(s.p50)} ms (${ms.map(Math.round).join(' ')}); load ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
  let others = 0;
  for (const [proc, cpu] of Object.entries(spent)) if (cpu.cpuMs < 50 * runs) others += cpu.cpuMs; else console.log(`    CPU per run ${String(Math.round(cpu.cpuMs / runs)).padStart(5)} ms (system ${Math.round(cpu.systemMs / runs)})  ${proc}`);
  console.log(`    CPU per run ${String(Math.round(others / runs)).padStart(5)} ms  all other descendants`);
}

for (const mode of (process.env.PROBE_MODES ?? 'proxied,direct').split(',')) {
  if (mode === 'proxied') {
    const records = [];
    const stack = await startAwsStack({ observe: (r) => records.push(r) });
    try {
      await series(stack.server.base, 'through proxies');
      // Requests per seq20 run by operation and item kind (the warm-up run included in the count, so divide by runs + 1).
      const counts = {};
      for (const r of records) {
        const key = `${r.service} ${r.op} ${r.resource} ${r.kind}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      for (const [k, n] of Object.entries(counts).sort((a, b) => b[1] - a[1])) console.log(`    per run ${(n / (runs + 1)).toFixed(1).padStart(6)}  ${k}`);
      if (process.env.PROBE_TRACE) {
        const tail = records.slice(-60);
        const t0 = tail[0].start;
        for (const r of tail) console.log(`    ${(r.start - t0).toFixed(1).padStart(7)} ${(r.end - t0).toFixed(1).padStart(7)}  ${r.service} ${r.op} ${r.resource} ${r.kind}`);
      }
    } finally { await stack.stop(); }
  } else if (mode === 'postgres') {
    const { startPostgresWorld, startHarnessOnPostgres } = await import('./lib/world-postgres.mjs');
    const pg = await startPostgresWorld();
    if (pg.skipped) { console.log(`postgres: ${pg.skipped}`); continue; }
    const server = await startHarnessOnPostgres(pg.url);
    try { await series(server.base, 'world-postgres'); } finally { await server.stop(); await pg.stop(); }
  } else {
    const local = await startBenchLocalAws();
    const server = await startServer(counted(ourWorld({ WORKFLOW_AWS_ADAPTERS: 'aws', WORKFLOW_AWS_DELIVERY: 'http', ...local.env })));
    try { await series(server.base, 'direct      '); } finally { await server.stop(); await local.stop(); }
  }
}
