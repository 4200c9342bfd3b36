// sleep(): resumes no earlier than asked, can be cancelled mid-sleep, and
// (opt-in, E2E_LONG_SLEEP_MS) survives long durations such as > 15 min,
// which an SQS-based world must chain across several delayed messages.
import { describeWorlds } from './harness/world-suite.js';

const LONG_SLEEP_MS = Number(process.env.E2E_LONG_SLEEP_MS ?? 0);

describeWorlds('sleep', (client) => {
  // 5 s: on the aws-lambda target (2 s hop cap) that is three chained messages.
  test('sleep(5 s) resumes after at least 5 s', async () => {
    const startedAt = Date.now();
    const runId = await client().start('sleeper', [5_000]);
    const result = await client().outcome(runId, 60_000);
    expect(result.outcome).toBe('completed');
    const { before, after } = (result as { value: { before: number; after: number } }).value;
    expect(after - before).toBeGreaterThanOrEqual(5_000);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(5_000);
  }, 90_000);

  test('cancelling a sleeping run cancels it for good', async () => {
    const runId = await client().start('sleeper', [3_600_000]);
    await client().waitFor('the run to start', async () => ((await client().status(runId)) === 'running' ? true : undefined));
    await new Promise((r) => setTimeout(r, 500)); // let it reach the sleep
    await client().cancel(runId);
    expect(await client().outcome(runId, 30_000)).toEqual({ outcome: 'cancelled' });
    await new Promise((r) => setTimeout(r, 1_500)); // a late delivery must not revive it
    expect(await client().status(runId)).toBe('cancelled');
  }, 60_000);

  (LONG_SLEEP_MS > 0 ? test : test.skip)(`long sleep (${LONG_SLEEP_MS} ms, from E2E_LONG_SLEEP_MS)`, async () => {
    const runId = await client().start('sleeper', [LONG_SLEEP_MS]);
    const result = await client().outcome(runId, LONG_SLEEP_MS + 120_000);
    expect(result.outcome).toBe('completed');
    const { before, after } = (result as { value: { before: number; after: number } }).value;
    expect(after - before).toBeGreaterThanOrEqual(LONG_SLEEP_MS);
  }, LONG_SLEEP_MS + 180_000);
});
