// What makes `status` exit 7: dead letters in either DLQ, runs failed within its window.
import { statusProblems } from '../../../src/cli/operations/status.js';
import { parseWindow } from '../../../src/cli/commands/status.js';
import { runsStatus } from '../../../src/cli/status/runs.js';
import type { QueueStatus } from '../../../src/cli/status/queues.js';
import { createWorld } from '../../../src/index.js';

const queue = (role: QueueStatus['role'], visible: number, inFlight = 0): QueueStatus =>
  ({ role, name: `shop-${role}`, exists: true, visible, inFlight, delayed: 0, drift: [] }) as QueueStatus;

it('dead letters, visible or in flight, in either DLQ; the work queues do not count', () => {
  expect(statusProblems([queue('workflow', 5), queue('workflowDlq', 0), queue('stepDlq', 0)], undefined)).toEqual([]);
  expect(statusProblems([queue('workflowDlq', 1), queue('stepDlq', 0, 2)], undefined)).toEqual([
    '1 dead letter(s) in shop-workflowDlq (`aws-workflow dlq list`)',
    '2 dead letter(s) in shop-stepDlq (`aws-workflow dlq list`)',
  ]);
});

it('counts runs failed within the window, and not those before it', async () => {
  const world = createWorld({ adapters: 'memory', name: `window${Date.now()}`, consumer: 'none' });
  const create = (runId: string | null, request: object) => world.events.create(runId as string, request as never);
  const { run } = await create(null, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input: new Uint8Array([1]) } });
  await create(run!.runId, { eventType: 'run_started' });
  await create(run!.runId, { eventType: 'run_failed', eventData: { error: { message: 'boom' } } });
  const now = Date.now();
  const recent = await runsStatus(world, { countLimit: 100, now, windowSeconds: 3600 });
  expect(recent.failedInWindow).toEqual({ count: 1, capped: false, windowSeconds: 3600 });
  expect(statusProblems([], recent)).toEqual(['1 failed run(s) in the last 1 h']);
  // Seen from two days later with a one-day window: outside it.
  const later = await runsStatus(world, { countLimit: 100, now: now + 2 * 86400_000, windowSeconds: 86400 });
  expect(later.failedInWindow.count).toBe(0);
  expect(statusProblems([], later)).toEqual([]);
  await world.close();
});

it('--window takes minutes, hours or days', () => {
  expect(parseWindow('30m')).toBe(1800);
  expect(parseWindow('24h')).toBe(86400);
  expect(parseWindow('7d')).toBe(604800);
  for (const bad of ['0h', '1w', 'h', '1.5h', '']) expect(parseWindow(bad)).toBeUndefined();
});
