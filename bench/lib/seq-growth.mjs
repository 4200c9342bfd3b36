// Growth with run length on world-aws: a 100-step sequential run (seq100),
// time per step read from the run's own log (the gap between consecutive
// step_completed events' createdAt). Reported: the median step around step 10
// (steps 6-15) and at the end (steps 91-100), and their ratio (target ≤ 1.2).
// Windows, not single steps, because one step's time swings with the load.
import { startAwsStack } from './aws-stack.mjs';
import { call, untilCompleted } from './e2e.mjs';
import { listAll } from './storage-suite.mjs';
import { summarize } from './stats.mjs';

const median = (xs) => summarize(xs).p50;

/** Per-step durations (ms) of a finished run from its log: step k ends at its step_completed. */
export function stepDurations(events) {
  const done = events.filter((e) => e.eventType === 'step_completed').map((e) => new Date(e.createdAt).getTime());
  const started = events.find((e) => e.eventType === 'run_started');
  const times = [started ? new Date(started.createdAt).getTime() : done[0], ...done];
  return times.slice(1).map((t, i) => t - times[i]);
}

/** Ratio of the median step at the end (last 10) to the median around step 10 (steps 6-15). */
export function growth(durations) {
  const early = median(durations.slice(5, 15));
  const late = median(durations.slice(-10));
  return { step10Ms: early, step100Ms: late, ratio: Math.round((late / early) * 100) / 100 };
}

export async function runSeqGrowth({ log = () => {}, runs = 2, steps = 100 } = {}) {
  const stack = await startAwsStack();
  try {
    await untilCompleted(stack.reader, (await call(stack.server.base, 'POST', 'start', { workflow: 'sequentialSteps', args: [5] })).runId, 'warm-up', 60_000);
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const { runId } = await call(stack.server.base, 'POST', 'start', { workflow: 'sequentialSteps', args: [steps] });
      const totalMs = await untilCompleted(stack.reader, runId, `seq${steps}`, 900_000);
      const sample = { totalMs: Math.round(totalMs), ...growth(stepDurations(await listAll(stack.reader, runId))) };
      log(`  seq${steps}: run ${i + 1}/${runs}: ${JSON.stringify(sample)}`);
      samples.push(sample);
    }
    return { steps, runs: samples, ratioP50: median(samples.map((s) => s.ratio)) };
  } finally {
    await stack.stop();
  }
}
