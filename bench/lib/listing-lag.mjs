// Listing lag across processes: a writer process commits a run (run_created,
// run_started) and one step_created through its own world; this process,
// with another world instance on the same local AWS, polls runs.list (newest
// first) and steps.list({ runId }) until each shows it. Lag = the moment the
// listing first shows it minus the moment the writer's commit returned
// (Date.now() in both processes, one machine), so it includes up to one poll
// interval and one list request. One commit at a time.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readerWorld } from './e2e.mjs';
import { startBenchLocalAws } from './local-aws-process.mjs';
import { newStepId, percentile, sleep, summarize } from './stats.mjs';
import { startedRun, stepEvents } from './storage-suite.mjs';

const POLL_MS = 10;
const GIVE_UP_MS = 30_000;

/** Ms until `shows()` is true, from `since` (epoch ms). */
async function lagUntil(shows, since) {
  for (;;) {
    if (await shows()) return Date.now() - since;
    if (Date.now() - since > GIVE_UP_MS) return Infinity;
    await sleep(POLL_MS);
  }
}

export async function runListingLag({ log = () => {}, commits = 50 } = {}) {
  const local = await startBenchLocalAws();
  const lister = await readerWorld(local.env);
  const writer = fork(fileURLToPath(import.meta.url), ['--writer'], { env: { ...process.env, ...local.env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let exited;
  const gone = new Promise((_, reject) => (exited = reject));
  gone.catch(() => {});
  writer.once('exit', (code) => exited(new Error(`listing-lag writer exited (${code})`)));
  const next = () => Promise.race([new Promise((resolve) => (writer.once('message', resolve), writer.send('commit'))), gone]);
  try {
    const runs = [];
    const steps = [];
    await next(); // warm-up: connections, lazy init
    for (let i = 0; i < commits; i++) {
      const c = await next();
      runs.push(await lagUntil(async () => (await lister.runs.list({ pagination: { limit: 20 } })).data.some((r) => r.runId === c.runId), c.runCommittedAt));
      steps.push(await lagUntil(async () => (await lister.steps.list({ runId: c.runId, pagination: { limit: 20 } })).data.some((s) => s.stepId === c.stepId), c.stepCommittedAt));
    }
    // Nearest rank: with fewer than 100 commits, p99 is the largest lag.
    const summary = (xs) => {
      const seen = xs.filter(Number.isFinite).sort((a, b) => a - b);
      return { ...summarize(seen), p99: percentile(seen, 99), notSeenWithin30s: xs.length - seen.length };
    };
    const out = { commits, pollMs: POLL_MS, runsList: summary(runs), stepsList: summary(steps) };
    log(`  listing lag: runs.list ${JSON.stringify(out.runsList)}, steps.list ${JSON.stringify(out.stepsList)}`);
    return out;
  } finally {
    writer.kill('SIGTERM');
    await lister.close?.();
    await local.stop();
  }
}

// Writer side: one world of its own; on each 'commit', a started run and one step_created.
if (process.argv[2] === '--writer' && process.send) {
  const world = await readerWorld(process.env);
  process.on('message', async () => {
    const runId = await startedRun(world);
    const runCommittedAt = Date.now();
    const stepId = newStepId();
    await world.events.create(runId, stepEvents(stepId)[0]);
    process.send({ runId, runCommittedAt, stepId, stepCommittedAt: Date.now() });
  });
  process.on('disconnect', () => process.exit(0));
}
