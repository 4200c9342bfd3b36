// A Lambda execution environment stand-in: a process that imports the bundle
// and then only runs its handler, for events sent over IPC. Like a real
// function's process it does nothing else, so its load and invocation times
// (wall and CPU) are the handler's own. Forked by lambda-zip-runner.mjs.
//
//   fork('lambda-host.mjs', [bundle]) → { type: 'ready', loadMs, loadCpuMs } | { type: 'load-failed', error }
//   send { id, event }               → { id, result, ms, cpuMs } | { id, error }
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const [bundle] = process.argv.slice(2);
const t0 = performance.now();
const c0 = cpuMs();
let lambda;
try {
  lambda = await import(pathToFileURL(bundle).href);
} catch (error) {
  process.send({ type: 'load-failed', error: String(error?.stack ?? error) });
  process.exit(1);
}
process.send({ type: 'ready', loadMs: performance.now() - t0, loadCpuMs: cpuMs() - c0 });

// One invocation at a time, as Lambda runs one event per execution environment.
let queue = Promise.resolve();
process.on('message', ({ id, event }) => {
  queue = queue.then(async () => {
    const started = performance.now();
    const startedCpu = cpuMs();
    try {
      const result = await lambda.handler(event);
      process.send({ id, result, ms: performance.now() - started, cpuMs: cpuMs() - startedCpu });
    } catch (error) {
      process.send({ id, error: String(error?.stack ?? error) });
    }
  });
});
process.on('disconnect', () => process.exit(0));
