// The suite's end-of-run checks on the installation: nothing in a DLQ, and the
// projections agree with the event log (verifyProjections, @workflow/world-aws/testing).
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalAws } from '../../../src/infra/local-aws/index.js';
import { verifyProjections } from '../../../src/testing.js';
import { createWorld } from '../../../src/world/create-world.js';

/** Messages in each DLQ (visible and in flight), as `name: count` for the non-empty ones. */
export async function deadLetters(local: LocalAws): Promise<string[]> {
  const sqs = new SQSClient({ endpoint: local.endpoints.sqs, region: local.region, credentials: local.credentials });
  try {
    const found: string[] = [];
    for (const [name, url] of [['workflow DLQ', local.queueUrls.workflowDlq], ['step DLQ', local.queueUrls.stepDlq]] as const) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      const count = Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
      if (count > 0) found.push(`${name}: ${count}`);
    }
    return found;
  } finally {
    sqs.destroy();
  }
}

/** Runs `work` with the replicas' installation env applied to this process (the SDK and createWorld read it). */
async function withInstallationEnv<T>(env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = new Map(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/**
 * Drift between the event log and what readers of `runIds` are served, one
 * line per drifted entity, from the package's own check.
 */
export function projectionDrift(env: Record<string, string>, runIds: string[]): Promise<string[]> {
  return withInstallationEnv(env, async () => {
    const { runsChecked, drift } = await verifyProjections({ runIds });
    const unchecked = runsChecked === runIds.length ? [] : [`verify checked ${runsChecked} of ${runIds.length} runs`];
    // Projections that only lag the log (`late`, readers apply the tail) are not drift.
    return [...unchecked, ...drift.filter((d) => d.problem !== 'late').map((d) => JSON.stringify(d))];
  });
}

/** Every event of a run, in log order. */
function runEvents(env: Record<string, string>, runId: string) {
  return withInstallationEnv(env, async () => {
    const world = createWorld();
    try {
      const events = [];
      let cursor: string | undefined;
      do {
        const page = await world.events.list({ runId, pagination: { limit: 500, ...(cursor ? { cursor } : {}) } });
        events.push(...page.data);
        cursor = page.hasMore && page.cursor ? page.cursor : undefined;
      } while (cursor);
      return events;
    } finally {
      await world.close?.();
    }
  });
}

/** A run's log as `seq:eventType(correlation id tail)`, for the failure message of a run that did not complete. */
export async function eventTrail(env: Record<string, string>, runId: string): Promise<string> {
  const events = await runEvents(env, runId);
  return events.map((e, i) => `${i + 1}:${e.eventType}${e.correlationId ? `(${e.correlationId.slice(-4)})` : ''}`).join(' ');
}

/**
 * When a run's steps were created and completed, and when it completed, in
 * seconds after its creation (the committers' clocks): where a slow run spent
 * its time. Completions at 50/90/100 %.
 */
export async function runTimeline(env: Record<string, string>, runId: string): Promise<string> {
  const events = await runEvents(env, runId);
  const t0 = new Date(events[0]!.createdAt).getTime();
  const at = (type: string) => events.filter((e) => e.eventType === type).map((e) => (new Date(e.createdAt).getTime() - t0) / 1000);
  const created = at('step_created');
  const completed = at('step_completed');
  const pct = (times: number[], p: number) => (times.length === 0 ? '–' : times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]!.toFixed(1));
  return [
    `timeline of ${runId} (s after run_created): ${created.length} steps created by ${pct(created, 100)}`,
    `started 50% ${pct(at('step_started'), 50)}, 100% ${pct(at('step_started'), 100)}`,
    `completed 50% ${pct(completed, 50)}, 90% ${pct(completed, 90)}, 100% ${pct(completed, 100)}`,
    `run_completed ${at('run_completed').map((t) => t.toFixed(1)).join(',') || '–'}`,
  ].join(', ');
}
