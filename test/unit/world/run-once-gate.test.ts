// The gate behind the start-up checks: one check in flight, a pass remembered, a failure retried.
import { runOnceGate } from '../../../src/world/run-once-gate.js';

/** A check that settles when told to, counting its runs. */
function controlledCheck() {
  const runs: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const check = () =>
    new Promise<void>((resolve, reject) => {
      runs.push({ resolve, reject });
    });
  return { check, runs };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('runOnceGate', () => {
  it('concurrent callers share one check in flight and all see its pass', async () => {
    const { check, runs } = controlledCheck();
    const gate = runOnceGate(check);
    const callers = [gate.assert(), gate.assert(), gate.assert()];
    await settle();
    expect(runs).toHaveLength(1);
    runs[0]!.resolve();
    await expect(Promise.all(callers)).resolves.toEqual([undefined, undefined, undefined]);
  });

  it('concurrent callers share one failure: each rejects with the check’s error', async () => {
    const { check, runs } = controlledCheck();
    const gate = runOnceGate(check);
    const callers = [gate.assert(), gate.assert()];
    await settle();
    expect(runs).toHaveLength(1);
    const error = new Error('table missing');
    runs[0]!.reject(error);
    for (const caller of callers) await expect(caller).rejects.toBe(error);
  });

  it('a failure lets the next call check again', async () => {
    const { check, runs } = controlledCheck();
    const gate = runOnceGate(check);
    const first = gate.assert();
    await settle();
    runs[0]!.reject(new Error('throttled'));
    await expect(first).rejects.toThrow('throttled');
    const second = gate.assert();
    await settle();
    expect(runs).toHaveLength(2);
    runs[1]!.resolve();
    await expect(second).resolves.toBeUndefined();
  });

  it('a pass is remembered: later calls run no check', async () => {
    let runs = 0;
    const gate = runOnceGate(async () => {
      runs += 1;
    });
    await gate.assert();
    await gate.assert();
    await Promise.all([gate.assert(), gate.assert()]);
    expect(runs).toBe(1);
  });

  it('a check that throws before its first await is a failure like any other', async () => {
    let fail = true;
    const gate = runOnceGate((() => {
      if (fail) throw new Error('no marker');
      return Promise.resolve();
    }) as () => Promise<void>);
    await expect(gate.assert()).rejects.toThrow('no marker');
    fail = false;
    await expect(gate.assert()).resolves.toBeUndefined();
  });

  it('opened from the start (a skipped check): never runs it', async () => {
    let runs = 0;
    const gate = runOnceGate(
      async () => {
        runs += 1;
      },
      { passed: true },
    );
    await gate.assert();
    await gate.guard(async () => ({ messageId: 'm' as never }))('__wkf_workflow_x' as never, {} as never);
    expect(runs).toBe(0);
  });

  it('guard: sends only after the check passed, with the caller’s arguments and the queue’s answer; a failed check sends nothing', async () => {
    let fail = true;
    let runs = 0;
    const gate = runOnceGate(async () => {
      runs += 1;
      if (fail) throw new Error('wrong line');
    });
    const sent: unknown[][] = [];
    const queue = gate.guard(async (...args) => {
      sent.push(args);
      return { messageId: 'msg_1' as never };
    });
    await expect(queue('__wkf_workflow_x' as never, { runId: 'r' } as never)).rejects.toThrow('wrong line');
    expect(sent).toEqual([]);
    fail = false;
    await expect(queue('__wkf_workflow_x' as never, { runId: 'r' } as never, { idempotencyKey: 'k' })).resolves.toEqual({ messageId: 'msg_1' });
    await queue('__wkf_workflow_y' as never, {} as never);
    expect(sent).toEqual([
      ['__wkf_workflow_x', { runId: 'r' }, { idempotencyKey: 'k' }],
      ['__wkf_workflow_y', {}],
    ]);
    expect(runs).toBe(2);
  });
});
