// Runs through the official runtime: return values, step fan-out, retries,
// fatal failures and payloads larger than a DynamoDB item or SQS message.
import { patternBytes, patternString } from './fixtures/app/shared/payload.js';
import { describeWorlds } from './harness/world-suite.js';

const MiB = 1024 * 1024;

describeWorlds('runs', (client) => {
  test('addition([1, 2]) returns 3', async () => {
    const runId = await client().start('addition', [1, 2]);
    expect(runId).toMatch(/^wrun_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(await client().outcome(runId, 30_000)).toEqual({ outcome: 'completed', value: 3 });
    expect(await client().status(runId)).toBe('completed');
  }, 60_000);

  test('20 sequential steps each see the previous result', async () => {
    const runId = await client().start('sequentialSteps', [20]);
    expect(await client().outcome(runId, 60_000)).toEqual({ outcome: 'completed', value: 20 });
  }, 90_000);

  test('50 parallel steps complete, results in call order', async () => {
    const runId = await client().start('parallelSteps', [50]);
    const expected = Array.from({ length: 50 }, (_, i) => i * i);
    expect(await client().outcome(runId, 60_000)).toEqual({ outcome: 'completed', value: expected });
  }, 90_000);

  test('a RetryableError is retried after retryAfter, then succeeds', async () => {
    const retryAfterMs = 1_000;
    const runId = await client().start('retryThenSucceed', [1, retryAfterMs]);
    const result = await client().outcome(runId, 60_000);
    expect(result).toMatchObject({ outcome: 'completed', value: { attempt: 2 } });
    const { elapsedMs } = (result as { value: { elapsedMs: number } }).value;
    expect(elapsedMs).toBeGreaterThanOrEqual(retryAfterMs);
  }, 90_000);

  test('a FatalError fails the run with USER_ERROR, without retrying', async () => {
    const runId = await client().start('fatalFailure', ['fatal-e2e']);
    const result = await client().outcome(runId, 30_000);
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'USER_ERROR' } });
    expect((result as { error: { message: string } }).error.message).toContain('fatal-e2e (attempt 1)');
    expect(await client().status(runId)).toBe('failed');
  }, 60_000);

  test('a 1 MiB string step result round-trips as the run output', async () => {
    const runId = await client().start('largeText', [MiB, 11]);
    const result = await client().outcome(runId, 60_000);
    expect(result.outcome).toBe('completed');
    const value = (result as { value: unknown }).value;
    expect(typeof value).toBe('string');
    expect((value as string).length).toBe(MiB);
    expect(value === patternString(MiB, 11)).toBe(true); // not toEqual: a 1 MiB diff is unreadable
  }, 90_000);

  test('a 5 MiB binary step result round-trips byte for byte', async () => {
    const runId = await client().start('largeBytes', [5 * MiB, 29]);
    const result = await client().outcome(runId, 90_000);
    expect(result.outcome).toBe('completed');
    const value = (result as { value: unknown }).value;
    expect(value).toBeInstanceOf(Uint8Array);
    expect((value as Uint8Array).byteLength).toBe(5 * MiB);
    expect(Buffer.compare(Buffer.from(value as Uint8Array), Buffer.from(patternBytes(5 * MiB, 29)))).toBe(0);
  }, 120_000);

  test('the runtime health check passes for both endpoints', async () => {
    expect(await client().health('workflow')).toMatchObject({ healthy: true });
    expect(await client().health('step')).toMatchObject({ healthy: true });
  });

  test('an unknown run id is reported as not found', async () => {
    await expect(client().status('wrun_01ARZ3NDEKTSV4RRFFQ69G5FAV')).rejects.toMatchObject({ status: 404 });
  }, 30_000);
});
