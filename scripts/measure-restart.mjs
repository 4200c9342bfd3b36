#!/usr/bin/env node
// A restarted app's first run against a running local AWS, against a fresh
// one: how long a workflow message and the step message it sends take to be
// handled. `npm run build && node scripts/measure-restart.mjs`.
// Roles: without arguments, the driver; `app <mode>` is one app process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

if (process.argv[2] === 'app') {
  const { createWorld } = await import('../dist/index.js');
  const world = createWorld({ consumer: 'process', delivery: 'in-process', logLevel: 'silent' });
  const started = { at: 0 };
  world.createQueueHandler('__wkf_workflow_', async () => {
    await world.queue('__wkf_step_measure', { step: true });
  });
  world.createQueueHandler('__wkf_step_', async () => {
    process.stdout.write(`done ${(performance.now() - started.at).toFixed(0)}\n`);
  });
  await world.start();
  process.stdout.write('ready\n');
  process.stdin.on('data', async (line) => {
    if (String(line).trim() === 'run') {
      started.at = performance.now();
      await world.queue('__wkf_workflow_measure', { runId: 'wrun_measure' });
    }
  });
} else {
  const { startLocalAws } = await import('../dist/infra/local-aws/index.js');
  const app = (env) => {
    const child = spawn(process.execPath, [self, 'app'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = [];
    const waiters = [];
    child.stdout.on('data', (chunk) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        lines.push(line);
        for (const w of waiters.splice(0)) w();
      }
    });
    const until = async (prefix) => {
      for (;;) {
        const found = lines.find((l) => l.startsWith(prefix));
        if (found) return found;
        await new Promise((resolve) => waiters.push(resolve));
      }
    };
    return { child, until };
  };
  const firstRun = async (env) => {
    const b = app(env);
    await b.until('ready');
    b.child.stdin.write('run\n');
    const ms = Number((await b.until('done')).split(' ')[1]);
    b.child.kill('SIGKILL');
    return ms;
  };
  const results = { fresh: [], restarted: [] };
  for (let i = 0; i < 3; i++) {
    for (const kind of ['fresh', 'restarted']) {
      const local = await startLocalAws({ name: `restart${i}${kind[0]}` });
      const env = { ...process.env, ...local.env };
      if (kind === 'restarted') {
        // The app before the restart: polling both queues, then killed (Ctrl-C on a dev server).
        const a = app(env);
        await a.until('ready');
        await new Promise((resolve) => setTimeout(resolve, 1000));
        a.child.kill('SIGKILL');
        await new Promise((resolve) => a.child.once('exit', resolve));
      }
      results[kind].push(await firstRun(env));
      await local.stop();
    }
  }
  console.log(`first run (workflow message, then its step message), ms: fresh dev ${results.fresh.join(', ')}; restarted app ${results.restarted.join(', ')}`);
}
