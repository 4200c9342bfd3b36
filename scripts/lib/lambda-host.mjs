// A Lambda execution environment stand-in: a process that imports the bundle
// and then only runs its handler, for events sent over IPC. Like a real
// function's process it does nothing else, so its load and invocation times
// (wall and CPU) are the handler's own. Forked by lambda-zip-runner.mjs.
//
//   fork('lambda-host.mjs', [bundle]) → { type: 'ready', loadMs, loadCpuMs } | { type: 'load-failed', error }
//   send { id, event }               → { id, result, ms, cpuMs } | { id, error }
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** With LAMBDA_CPU_PROF: monotonic µs of each phase's edges (the CPU profile's clock), written beside the profile. */
const marks = {};
const mark = (name) => {
  marks[name] = Number(process.hrtime.bigint() / 1000n);
};
const [bundle] = process.argv.slice(2);
mark('loadStart');
const t0 = performance.now();
const c0 = cpuMs();
let lambda;
try {
  lambda = await import(pathToFileURL(bundle).href);
} catch (error) {
  process.send({ type: 'load-failed', error: String(error?.stack ?? error) });
  process.exit(1);
}
mark('loadEnd');
process.send({ type: 'ready', loadMs: performance.now() - t0, loadCpuMs: cpuMs() - c0 });

// One invocation at a time, as Lambda runs one event per execution environment.
let queue = Promise.resolve();
process.on('message', ({ id, event }) => {
  queue = queue.then(async () => {
    const started = performance.now();
    const startedCpu = cpuMs();
    try {
      mark(`invoke${id}Start`);
      const result = await lambda.handler(event);
      mark(`invoke${id}End`);
      process.send({ id, result, ms: performance.now() - started, cpuMs: cpuMs() - startedCpu });
    } catch (error) {
      process.send({ id, error: String(error?.stack ?? error) });
    }
  });
});
process.on('disconnect', () => {
  if (process.env.LAMBDA_CPU_PROF) {
    mkdirSync(process.env.LAMBDA_CPU_PROF, { recursive: true });
    writeFileSync(join(process.env.LAMBDA_CPU_PROF, `marks.${process.pid}.json`), JSON.stringify(marks));
  }
  process.exit(0);
});
