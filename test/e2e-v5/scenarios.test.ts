// The ten acceptance scenarios of the workflow@5 line (issue 21): the fixture
// workflows built with workflow@5.0.0-beta.55, served by a plain Node server,
// driven through start(), getRun(), resumeHook() and stream reads.
import { patternBytes } from '../e2e/fixtures/app/shared/payload.js';
import { describeV5Worlds } from './harness/v5-suite.js';

const MiB = 1024 * 1024;

describeV5Worlds('ten scenarios', (client) => {
  test('addition: one step returns 2 + 3', async () => {
    const runId = await client().start('addition', [2, 3]);
    expect(runId).toMatch(/^wrun_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(await client().outcome(runId, 30_000)).toEqual({ outcome: 'completed', value: 5 });
    expect(await client().status(runId)).toBe('completed');
  }, 60_000);

  test('20 sequential steps each see the previous result', async () => {
    const runId = await client().start('sequentialSteps', [20]);
    expect(await client().outcome(runId, 60_000)).toEqual({ outcome: 'completed', value: 20 });
  }, 90_000);

  test('fan-out of 50 parallel steps, results in call order', async () => {
    const runId = await client().start('parallelSteps', [50]);
    const expected = Array.from({ length: 50 }, (_, i) => i * i);
    expect(await client().outcome(runId, 60_000)).toEqual({ outcome: 'completed', value: expected });
  }, 90_000);

  test('sleep(1 s) resumes no earlier than 1 s later', async () => {
    const runId = await client().start('sleeper', [1_000]);
    const result = await client().outcome(runId, 30_000);
    expect(result.outcome).toBe('completed');
    const { before, after } = (result as { value: { before: number; after: number } }).value;
    expect(after - before).toBeGreaterThanOrEqual(1_000);
  }, 60_000);

  test('a hook resumed twice with resumeHook() delivers both payloads in order', async () => {
    const token = `v5-hook-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const runId = await client().start('hookCollector', [token, 2]);
    expect(await client().resumeHookWhenReady(token, { seq: 1, text: 'one' })).toBe(runId);
    expect(await client().resumeHookWhenReady(token, { seq: 2, text: 'two' })).toBe(runId);
    expect(await client().outcome(runId, 30_000)).toEqual({
      outcome: 'completed',
      value: [
        { seq: 1, text: 'one' },
        { seq: 2, text: 'two' },
      ],
    });
  }, 60_000);

  test('a stream written by a step is read back in order until it closes', async () => {
    const words = Array.from({ length: 100 }, (_, i) => `w${i}`);
    const runId = await client().start('wordStream', [words]);
    const read: unknown[] = [];
    for await (const chunk of client().stream(runId, { timeoutMs: 60_000 })) read.push(chunk);
    expect(read).toEqual(words);
    expect(await client().outcome(runId, 30_000)).toEqual({ outcome: 'completed', value: words.length });
    expect(await client().tailIndex(runId)).toBe(words.length - 1);
  }, 90_000);

  test('a RetryableError is retried after retryAfter, then succeeds', async () => {
    const retryAfterMs = 1_000;
    const runId = await client().start('retryThenSucceed', [1, retryAfterMs]);
    const result = await client().outcome(runId, 60_000);
    expect(result).toMatchObject({ outcome: 'completed', value: { attempt: 2 } });
    expect((result as { value: { elapsedMs: number } }).value.elapsedMs).toBeGreaterThanOrEqual(retryAfterMs);
  }, 90_000);

  test('a FatalError fails the run at once, without a retry', async () => {
    const runId = await client().start('fatalFailure', ['fatal-v5']);
    const result = await client().outcome(runId, 30_000);
    expect(result.outcome).toBe('failed');
    expect((result as { error: { message: string } }).error.message).toContain('fatal-v5 (attempt 1)');
    expect(await client().status(runId)).toBe('failed');
  }, 60_000);

  test('a 1 MiB binary step result round-trips byte for byte', async () => {
    const runId = await client().start('largeBytes', [MiB, 21]);
    const result = await client().outcome(runId, 60_000);
    expect(result.outcome).toBe('completed');
    const value = (result as { value: unknown }).value;
    expect(value).toBeInstanceOf(Uint8Array);
    expect(Buffer.compare(Buffer.from(value as Uint8Array), Buffer.from(patternBytes(MiB, 21)))).toBe(0);
  }, 90_000);

  test('cancel() of a sleeping run ends it cancelled', async () => {
    const runId = await client().start('sleeper', [120_000]);
    await client().waitFor('the run to be running', async () => ((await client().status(runId)) === 'running' ? true : undefined));
    await client().cancel(runId);
    expect(await client().outcome(runId, 30_000)).toEqual({ outcome: 'cancelled' });
    expect(await client().status(runId)).toBe('cancelled');
  }, 60_000);
});
