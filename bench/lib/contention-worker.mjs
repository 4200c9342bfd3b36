// Cross-process contention: N step_completed on one run, spread over P
// processes, as separate consumers (Lambdas, containers) would send them.
// Within one process our world queues a run's appends (run-serializer), so
// only separate processes exercise the optimistic-concurrency retry path.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stepEvents } from './storage-suite.mjs';
import { now } from './stats.mjs';

/**
 * `world`: { module, options, env } — each worker does
 * `(await import(module)).createWorld(options)` with `env` added to process.env.
 */
export async function crossProcessContention({ world, runId, stepIds, processes }) {
  const shares = Array.from({ length: processes }, (_, i) => stepIds.filter((_, j) => j % processes === i));
  const children = shares.map(() => fork(fileURLToPath(import.meta.url), ['--worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const message = (child, type) => new Promise((resolve, reject) => {
    const onMessage = (m) => m.type === type && (child.off('message', onMessage), resolve(m));
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`contention worker exited (${code})`)));
  });
  try {
    await Promise.all(children.map((child, i) => (child.send({ type: 'setup', world, runId, stepIds: shares[i] }), message(child, 'ready'))));
    const start = now();
    const done = children.map((child) => message(child, 'done'));
    for (const child of children) child.send({ type: 'go' });
    const results = await Promise.all(done);
    const totalMs = now() - start;
    const failures = results.flatMap((r) => r.failures);
    return { n: stepIds.length, processes, totalMs: Math.round(totalMs * 100) / 100, failures: failures.length, failureNames: [...new Set(failures)] };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  }
}

if (process.argv[2] === '--worker' && process.send) {
  let world;
  let job;
  process.on('message', async (m) => {
    if (m.type === 'setup') {
      Object.assign(process.env, m.world.env ?? {});
      world = (await import(m.world.module)).createWorld(m.world.options);
      job = m;
      // One read first, so connection set-up is not part of the timed burst.
      await world.runs.get(m.runId);
      process.send({ type: 'ready' });
    } else if (m.type === 'go') {
      const outcomes = await Promise.allSettled(job.stepIds.map((id) => world.events.create(job.runId, stepEvents(id)[2])));
      const failures = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason?.name ?? 'Error');
      process.send({ type: 'done', failures });
      await world.close?.().catch(() => undefined);
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
}
