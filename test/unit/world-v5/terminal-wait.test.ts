// runs.waitForTerminalStatus: one read per change in this process, a
// doubling pause for changes made elsewhere, the snapshot at the timeout.
import { ManualClock } from '../../../src/adapters/memory/manual-clock.js';
import { RunSignals } from '../../../src/world-v5/run-signals.js';
import { TERMINAL_WAIT, waitForTerminal } from '../../../src/world-v5/terminal-wait.js';

const RUN = 'wrun_1';

function setup() {
  const clock = new ManualClock(0);
  const signals = new RunSignals();
  let status = 'running';
  const reads: number[] = [];
  const read = async () => {
    reads.push(clock.now());
    return { runId: RUN, status };
  };
  const end = (to = 'completed') => {
    status = to;
    signals.notify(RUN);
  };
  return { clock, signals, read, reads, end, setStatus: (s: string) => (status = s) };
}

/** Lets the waiter's promise chain run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('waitForTerminal', () => {
  it.each(['completed', 'failed', 'cancelled'])('answers a %s run with one read', async (status) => {
    const t = setup();
    t.setStatus(status);
    await expect(waitForTerminal(t.read, RUN, { timeoutMs: 60_000 }, t)).resolves.toMatchObject({ status });
    expect(t.reads).toEqual([0]);
  });

  it('answers on this process’s terminal commit with one more read, at once', async () => {
    const t = setup();
    const waiting = waitForTerminal(t.read, RUN, { timeoutMs: 60_000 }, t);
    await settle();
    expect(t.signals.waitingRuns).toBe(1);
    await t.clock.advance(50);
    t.end();
    await expect(waiting).resolves.toMatchObject({ status: 'completed' });
    expect(t.reads).toEqual([0, 50]);
    expect(t.signals.waitingRuns).toBe(0);
  });

  it('reads a run ended elsewhere after pauses doubling from 200 ms to 5 s: 8 reads in 20 s, not one per interval', async () => {
    const t = setup();
    const waiting = waitForTerminal(t.read, RUN, { timeoutMs: 60_000 }, t);
    for (let ms = 0; ms < 20_000; ms += 50) {
      await settle();
      await t.clock.advance(50);
    }
    t.setStatus('completed'); // another process: no signal here
    for (let ms = 0; ms < 5_000; ms += 50) {
      await settle();
      await t.clock.advance(50);
    }
    await expect(waiting).resolves.toMatchObject({ status: 'completed' });
    expect(t.reads.slice(0, 7)).toEqual([0, 200, 600, 1400, 3000, 6200, 11_200]);
    expect(t.reads.every((at, i) => i === 0 || at - t.reads[i - 1]! <= TERMINAL_WAIT.maxPauseMs)).toBe(true);
    expect(t.reads.length).toBeLessThanOrEqual(9);
  });

  it('returns the latest snapshot at the timeout, a normal answer', async () => {
    const t = setup();
    const waiting = waitForTerminal(t.read, RUN, { timeoutMs: 1000 }, t);
    for (let ms = 0; ms <= 1000; ms += 50) {
      await settle();
      await t.clock.advance(50);
    }
    await expect(waiting).resolves.toMatchObject({ status: 'running' });
    expect(t.reads.at(-1)).toBeGreaterThanOrEqual(1000);
    expect(t.reads.at(-1)).toBeLessThanOrEqual(1050);
  });

  it('answers at once with timeoutMs 0', async () => {
    const t = setup();
    await expect(waitForTerminal(t.read, RUN, { timeoutMs: 0 }, t)).resolves.toMatchObject({ status: 'running' });
    expect(t.reads).toEqual([0]);
  });

  it('stops waiting on abort and returns the latest snapshot', async () => {
    const t = setup();
    const abort = new AbortController();
    const waiting = waitForTerminal(t.read, RUN, { timeoutMs: 60_000, signal: abort.signal }, t);
    await settle();
    abort.abort();
    await expect(waiting).resolves.toMatchObject({ status: 'running' });
    expect(t.reads).toEqual([0, 0]);
    expect(t.signals.waitingRuns).toBe(0);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses timeoutMs %s (400)', async (timeoutMs) => {
    const t = setup();
    await expect(waitForTerminal(t.read, RUN, { timeoutMs }, t)).rejects.toMatchObject({ status: 400 });
  });

  it('fails like get: a missing run’s error comes through', async () => {
    const t = setup();
    const missing = Object.assign(new Error('not found'), { name: 'WorkflowRunNotFoundError' });
    await expect(waitForTerminal(() => Promise.reject(missing), RUN, {}, t)).rejects.toBe(missing);
  });
});

describe('RunSignals', () => {
  it('wakes only the waiters of the run notified', async () => {
    const clock = new ManualClock(0);
    const signals = new RunSignals();
    let woke = '';
    void signals.wait(clock, 'a', 10_000).then(() => (woke += 'a'));
    void signals.wait(clock, 'b', 10_000).then(() => (woke += 'b'));
    signals.notify('b');
    await settle();
    expect(woke).toBe('b');
    expect(signals.waitingRuns).toBe(1);
    await clock.advance(10_000);
    await settle();
    expect(woke).toBe('ba');
    expect(signals.waitingRuns).toBe(0);
  });
});
