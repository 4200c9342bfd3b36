// The storage benchmark, against any World (ours on memory or local AWS,
// world-postgres): only the public World API, so every world runs the same
// code. Each part is bounded in count and in time; a part that hits its time
// budget reports how many samples it got.
import { budget, bytes, newStepId, now, summarize, timed } from './stats.mjs';

const SPEC = 3;
// Sizes close to what the runtime writes for small arguments and results.
const INPUT = bytes(64);
const RESULT = bytes(16);

export const DEFAULTS = {
  latencyRuns: 5, // × latencySteps steps, sequential: samples per event type
  latencySteps: 20,
  seqEvents: 300,
  concurrency: [10, 50],
  concurrentEvents: { 10: 600, 50: 900 },
  listEvents: 200,
  listReads: 15,
  getReads: 200,
  contentionN: 50,
  contentionRounds: 3,
  partBudgetMs: 20_000,
};

export function quickOptions() {
  return { ...DEFAULTS, latencyRuns: 2, latencySteps: 5, seqEvents: 30, concurrentEvents: { 10: 60, 50: 100 }, listReads: 3, getReads: 20, contentionN: 10, contentionRounds: 1, partBudgetMs: 5_000 };
}

/** Creates and starts a run; returns its id. */
export async function startedRun(world) {
  const { run } = await world.events.create(null, {
    eventType: 'run_created',
    specVersion: SPEC,
    eventData: { deploymentId: 'bench', workflowName: 'bench', input: INPUT },
  });
  await world.events.create(run.runId, { eventType: 'run_started', specVersion: SPEC });
  return run.runId;
}

export const stepEvents = (stepId) => [
  { eventType: 'step_created', specVersion: SPEC, correlationId: stepId, eventData: { stepName: 'step//bench//add', workflowName: 'bench', input: INPUT } },
  { eventType: 'step_started', specVersion: SPEC, correlationId: stepId, eventData: { stepName: 'step//bench//add' } },
  { eventType: 'step_completed', specVersion: SPEC, correlationId: stepId, eventData: { stepName: 'step//bench//add', workflowName: 'bench', result: RESULT } },
];

/** One step's three events in order; `record(type, ms)` gets each latency. */
async function oneStep(world, runId, record) {
  for (const request of stepEvents(newStepId())) {
    const [, ms] = await timed(() => world.events.create(runId, request));
    record(request.eventType, ms);
  }
}

/** p50/p95 per event type of a typical step sequence, plus run_created/run_started. */
async function stepLatency(world, o) {
  const samples = { run_created: [], run_started: [], step_created: [], step_started: [], step_completed: [] };
  const record = (type, ms) => samples[type].push(ms);
  const b = budget(o.partBudgetMs);
  for (let r = 0; r < o.latencyRuns && !b.over(); r++) {
    const [{ run }, createMs] = await timed(() =>
      world.events.create(null, { eventType: 'run_created', specVersion: SPEC, eventData: { deploymentId: 'bench', workflowName: 'bench', input: INPUT } }),
    );
    record('run_created', createMs);
    const [, startMs] = await timed(() => world.events.create(run.runId, { eventType: 'run_started', specVersion: SPEC }));
    record('run_started', startMs);
    for (let s = 0; s < o.latencySteps && !b.over(); s++) await oneStep(world, run.runId, record);
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
}

/** Events/s appending step sequences to one run, one at a time. */
async function sequentialThroughput(world, o) {
  const runId = await startedRun(world);
  const b = budget(o.partBudgetMs);
  const latencies = [];
  const start = now();
  while (latencies.length < o.seqEvents && !b.over()) await oneStep(world, runId, (_, ms) => latencies.push(ms));
  const seconds = (now() - start) / 1000;
  return { events: latencies.length, seconds: round(seconds), eventsPerSecond: round(latencies.length / seconds), latency: summarize(latencies) };
}

/** `c` workers, each appending step sequences to its own run, until the total is reached. */
async function concurrentThroughput(world, c, total, o) {
  const runIds = await Promise.all(Array.from({ length: c }, () => startedRun(world)));
  const b = budget(o.partBudgetMs);
  const latencies = [];
  let errors = 0;
  let issued = 0;
  const start = now();
  await Promise.all(
    runIds.map(async (runId) => {
      while (issued < total && !b.over()) {
        issued += 3;
        await oneStep(world, runId, (_, ms) => latencies.push(ms)).catch(() => errors++);
      }
    }),
  );
  const seconds = (now() - start) / 1000;
  return { concurrency: c, events: latencies.length, errors, seconds: round(seconds), eventsPerSecond: round(latencies.length / seconds), latency: summarize(latencies) };
}

/** Reads the whole log as replay does: default page size, ascending, following the cursor. */
export async function readWholeLog(world, runId) {
  let cursor;
  let events = 0;
  let pages = 0;
  for (;;) {
    const page = await world.events.list({ runId, pagination: { sortOrder: 'asc', ...(cursor ? { cursor } : {}) } });
    events += page.data.length;
    pages++;
    if (!page.hasMore) return { events, pages };
    cursor = page.cursor;
  }
}

/** Builds a run of `listEvents` events (run_created, run_started, then steps), then times full reads. */
async function listLog(world, o) {
  const runId = await startedRun(world);
  let written = 2;
  while (written + 3 <= o.listEvents) {
    for (const request of stepEvents(newStepId())) await world.events.create(runId, request);
    written += 3;
  }
  const b = budget(o.partBudgetMs);
  const times = [];
  let shape;
  for (let i = 0; i < o.listReads && !b.over(); i++) {
    const [result, ms] = await timed(() => readWholeLog(world, runId));
    shape = result;
    times.push(ms);
  }
  return { runEvents: written, readEvents: shape.events, pages: shape.pages, read: summarize(times) };
}

/** runs.get of a started run with a small input. */
async function runsGet(world, o) {
  const runId = await startedRun(world);
  const b = budget(o.partBudgetMs);
  const times = [];
  for (let i = 0; i < o.getReads && !b.over(); i++) times.push((await timed(() => world.runs.get(runId)))[1]);
  return summarize(times);
}

/** Sets up a run with `n` started steps; returns [runId, stepIds]. */
export async function runWithStartedSteps(world, n) {
  const runId = await startedRun(world);
  const stepIds = Array.from({ length: n }, () => newStepId());
  for (const id of stepIds) {
    const [created, started] = stepEvents(id);
    await world.events.create(runId, created);
    await world.events.create(runId, started);
  }
  return [runId, stepIds];
}

/** `n` concurrent step_completed on one run (distinct steps): total time, failures, log check. */
async function contention(world, o) {
  const rounds = [];
  for (let r = 0; r < o.contentionRounds; r++) {
    const [runId, stepIds] = await runWithStartedSteps(world, o.contentionN);
    const start = now();
    const outcomes = await Promise.allSettled(stepIds.map((id) => world.events.create(runId, stepEvents(id)[2])));
    const totalMs = now() - start;
    const failed = outcomes.filter((x) => x.status === 'rejected');
    const log = await listAll(world, runId);
    rounds.push({
      n: o.contentionN,
      totalMs: round(totalMs),
      failures: failed.length,
      failureNames: [...new Set(failed.map((f) => f.reason?.name ?? 'Error'))],
      completedEventsInLog: log.filter((e) => e.eventType === 'step_completed').length,
    });
  }
  return rounds;
}

export async function listAll(world, runId) {
  const all = [];
  let cursor;
  for (;;) {
    const page = await world.events.list({ runId, pagination: { sortOrder: 'asc', ...(cursor ? { cursor } : {}) } });
    all.push(...page.data);
    if (!page.hasMore) return all;
    cursor = page.cursor;
  }
}

/**
 * Races the runtime can produce (redelivered or duplicated queue messages):
 * what each world does with 5 identical concurrent requests.
 */
async function correctnessProbes(world) {
  const count = (log, type) => log.filter((e) => e.eventType === type).length;
  const settle = async (fn) => {
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, fn));
    const rejected = outcomes.filter((x) => x.status === 'rejected').map((x) => x.reason?.name ?? 'Error');
    return { fulfilled: outcomes.length - rejected.length, rejected: [...new Set(rejected)] };
  };
  const probes = {};

  const { run } = await world.events.create(null, { eventType: 'run_created', specVersion: SPEC, eventData: { deploymentId: 'bench', workflowName: 'bench', input: INPUT } });
  const started = await settle(() => world.events.create(run.runId, { eventType: 'run_started', specVersion: SPEC }));
  probes.concurrentRunStarted = { ...started, runStartedEvents: count(await listAll(world, run.runId), 'run_started') };

  const runId = run.runId;
  const createdId = newStepId();
  const created = await settle(() => world.events.create(runId, stepEvents(createdId)[0]));
  probes.concurrentStepCreated = { ...created, stepCreatedEvents: count((await listAll(world, runId)).filter((e) => e.correlationId === createdId), 'step_created') };

  const [runId2, [stepId]] = await runWithStartedSteps(world, 1);
  const completed = await settle(() => world.events.create(runId2, stepEvents(stepId)[2]));
  probes.concurrentStepCompleted = { ...completed, stepCompletedEvents: count(await listAll(world, runId2), 'step_completed') };

  // A step id already used by another run (the runtime's ids are ULIDs, so this only tests the key scope).
  const reused = await world.events.create(runId2, stepEvents(createdId)[0]).then(
    () => 'accepted',
    (error) => `rejected (${error?.name ?? 'Error'})`,
  );
  probes.stepIdOfAnotherRun = { outcome: reused };
  return probes;
}

const round = (x) => Math.round(x * 100) / 100;

/** Runs every part in order; `log(line)` reports progress. */
export async function runStorageSuite(world, options = {}, log = () => {}) {
  const o = { ...DEFAULTS, ...options };
  const out = {};
  const part = async (name, fn) => {
    log(`  ${name}…`);
    const start = now();
    try {
      out[name] = await fn();
    } catch (error) {
      out[name] = { error: `${error?.name ?? 'Error'}: ${error?.message ?? error}` };
    }
    log(`  ${name} done in ${((now() - start) / 1000).toFixed(1)} s`);
  };
  await part('stepLatency', () => stepLatency(world, o));
  await part('sequential', () => sequentialThroughput(world, o));
  out.concurrent = {};
  for (const c of o.concurrency) {
    await part(`concurrent${c}`, () => concurrentThroughput(world, c, o.concurrentEvents[c] ?? 20 * c, o));
    out.concurrent[c] = out[`concurrent${c}`];
    delete out[`concurrent${c}`];
  }
  await part('list', () => listLog(world, o));
  await part('runsGet', () => runsGet(world, o));
  await part('contention', () => contention(world, o));
  await part('probes', () => correctnessProbes(world));
  return out;
}
