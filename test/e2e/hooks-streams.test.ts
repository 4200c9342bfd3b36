// Hooks resumed by token, webhooks over HTTP, and the run's default stream
// read with getReadable() (from the start, from a negative index, and live).
import { randomUUID } from 'node:crypto';
import { describeWorlds } from './harness/world-suite.js';

async function collect<T>(chunks: AsyncIterable<unknown>): Promise<T[]> {
  const out: T[] = [];
  for await (const chunk of chunks) out.push(chunk as T);
  return out;
}

describeWorlds('hooks and streams', (client, targetName) => {
  test('a hook with a custom token is resumed by resumeHook(token)', async () => {
    const token = `e2e-hook-${randomUUID()}`;
    const runId = await client().start('hookCollector', [token, 2]);
    expect(await client().resumeHookWhenReady(token, { seq: 1, text: 'first' })).toBe(runId);
    expect(await client().resumeHook(token, { seq: 2, text: 'second' })).toBe(runId);
    expect(await client().outcome(runId, 30_000)).toEqual({
      outcome: 'completed',
      value: [
        { seq: 1, text: 'first' },
        { seq: 2, text: 'second' },
      ],
    });
    // A finished run's hooks are disposed: the token no longer resolves.
    await expect(client().resumeHook(token, { seq: 3, text: 'late' })).rejects.toMatchObject({ status: 404 });
  }, 60_000);

  test('resuming an unknown token is HookNotFoundError', async () => {
    await expect(client().resumeHook(`e2e-missing-${randomUUID()}`, {})).rejects.toMatchObject({
      status: 404,
      errorName: 'HookNotFoundError',
    });
  }, 30_000);

  test('a webhook is resumed by an HTTP request to its route', async () => {
    const runId = await client().start('webhookReceiver');
    const [token] = await collect<string>(takeFirst(client().stream(runId, { timeoutMs: 30_000 })));
    expect(typeof token).toBe('string');
    const response = await client().postWebhook(token!, 'hello webhook');
    expect(response.status).toBeLessThan(300);
    expect(await client().outcome(runId, 30_000)).toEqual({
      outcome: 'completed',
      value: { method: 'POST', body: 'hello webhook' },
    });
  }, 60_000);

  test('a finished stream reads whole, and from a negative startIndex', async () => {
    const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
    const runId = await client().start('wordStream', [words]);
    expect(await client().outcome(runId, 30_000)).toEqual({ outcome: 'completed', value: words.length });
    expect(await collect(client().stream(runId))).toEqual(words);
    expect(await collect(client().stream(runId, { startIndex: -2 }))).toEqual(['delta', 'echo']);
    expect(await collect(client().stream(runId, { startIndex: -10 }))).toEqual(words); // clamped to 0
    expect(await client().tailIndex(runId)).toBe(words.length - 1);
  }, 60_000);

  // world-local keeps such a reader open forever (WORLD-CONTRACT §4), so only our worlds are held to it.
  (targetName === 'local' ? test.skip : test)('a start index past the end of a closed stream closes at once', async () => {
    const runId = await client().start('wordStream', [['only']]);
    expect(await client().outcome(runId, 30_000)).toEqual({ outcome: 'completed', value: 1 });
    expect(await collect(client().stream(runId, { startIndex: 1, timeoutMs: 10_000 }))).toEqual([]);
  }, 60_000);

  test('a 1,000-chunk stream is read live by a caller connecting mid-stream at startIndex -10', async () => {
    const total = 1_000;
    const half = total / 2;
    const token = `e2e-stream-${randomUUID()}`;
    const runId = await client().start('pausedStream', [total, token]);
    // The run has written [0, 500) and is waiting on the hook.
    await client().waitFor('the first half of the stream', async () =>
      (await client().tailIndex(runId)) === half - 1 ? true : undefined,
    );
    const reader = client().stream(runId, { startIndex: -10, timeoutMs: 60_000 });
    const first = await reader.next();
    expect(first.value).toEqual({ i: half - 10 });
    // Connected mid-stream: now let the run write the second half.
    await client().resumeHookWhenReady(token, null);
    const rest = await collect<{ i: number }>(reader);
    const expected = Array.from({ length: total - half + 9 }, (_, k) => ({ i: half - 9 + k }));
    expect(rest.length).toBe(expected.length);
    expect(rest).toEqual(expected);
    expect(await client().outcome(runId, 30_000)).toEqual({ outcome: 'completed', value: total });
    const all = await collect<{ i: number }>(client().stream(runId));
    expect(all.map((c) => c.i)).toEqual(Array.from({ length: total }, (_, i) => i));
  }, 120_000);
});

/** Ends the underlying stream after its first chunk (closing the HTTP response). */
async function* takeFirst(chunks: AsyncGenerator<unknown>): AsyncGenerator<unknown> {
  const first = await chunks.next();
  await chunks.return(undefined);
  if (!first.done) yield first.value;
}
