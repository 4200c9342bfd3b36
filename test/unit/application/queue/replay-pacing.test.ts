// Replays of one run are serialized per process; after a long replay that
// sent no new step message while steps this process sent are still pending,
// the next one of the same run waits (a multiple of its length, capped, ended
// early by the last pending step's success); short replays, replays that sent
// a step, and runs with no pending step here never delay the next, and other
// runs are never held. All timing on a ManualClock.
import { ManualClock } from '../../../../src/adapters/memory/manual-clock.js';
import { ENVELOPE_VERSION, type Envelope } from '../../../../src/application/queue/envelope.js';
import { LocalCoordination } from '../../../../src/application/queue/local-coordination.js';
import { DEFAULT_REPLAY_PACING, replayGapMs, type ReplayPacing } from '../../../../src/application/queue/replay-pacing.js';
import { attachWakeup, withWakeupContinuations } from '../../../../src/application/queue/wakeup-continuation.js';

const T0 = Date.UTC(2030, 0, 1);
let clock: ManualClock;
beforeEach(() => {
  clock = new ManualClock(T0);
});

/** Lets code already running reach its next sleep, then moves the clock. */
async function advance(ms: number): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await clock.advance(ms);
}

const coordination = (pacing: ReplayPacing) => new LocalCoordination(clock, pacing);
const pacing = (p: Partial<ReplayPacing>): ReplayPacing => ({ fromMs: 20, factor: 1, capMs: 1_000, fanOutFrom: 50, ...p });

/** A replay that takes `ms` of clock time, recording when it started and ended. */
function replay(ms: number, log: { starts: number[]; ends: number[] }, during?: () => void) {
  return async () => {
    log.starts.push(clock.now());
    await clock.sleep(ms);
    during?.();
    log.ends.push(clock.now());
  };
}

/** Two back-to-back replays of one run; the time between the end of the first and the start of the second. */
async function gapBetween(local: LocalCoordination, firstMs: number, during?: () => void): Promise<number> {
  const log = { starts: [] as number[], ends: [] as number[] };
  const both = Promise.all([local.serialized('wrun_a', replay(firstMs, log, during)), local.serialized('wrun_a', replay(1, log))]);
  for (let i = 0; i < 200 && log.starts.length < 2; i++) await advance(10);
  await advance(10);
  await both;
  return log.starts[1]! - log.ends[0]!;
}

describe('replayGapMs', () => {
  test('a replay shorter than the threshold asks for no gap', () => {
    expect(replayGapMs(0)).toBe(0);
    expect(replayGapMs(DEFAULT_REPLAY_PACING.fromMs - 1)).toBe(0);
  });

  test('a long replay asks for a gap of `factor` times its length, up to the cap', () => {
    const { fromMs, factor, capMs } = DEFAULT_REPLAY_PACING;
    expect(replayGapMs(fromMs)).toBe(fromMs * factor);
    expect(replayGapMs(5_000)).toBe(5_000 * factor);
    expect(replayGapMs(10 * capMs)).toBe(capMs);
    expect(replayGapMs(300, pacing({ fromMs: 100, capMs: 400 }))).toBe(300);
    expect(replayGapMs(900, pacing({ fromMs: 100, capMs: 400 }))).toBe(400);
  });
});

describe('LocalCoordination.serialized', () => {
  test('calls for one run never overlap', async () => {
    const local = coordination(pacing({ fromMs: 10_000 }));
    let running = 0;
    let most = 0;
    const work = async () => {
      most = Math.max(most, ++running);
      await clock.sleep(5);
      running--;
    };
    const all = Promise.all([1, 2, 3].map(() => local.serialized('wrun_a', work)));
    for (let i = 0; i < 5; i++) await advance(5);
    await all;
    expect(most).toBe(1);
  });

  test('after a long replay the next of the same run waits as long again', async () => {
    const local = coordination(pacing({ fromMs: 40 }));
    local.pacing.stepSent('wrun_a'); // a step sent by an earlier replay, still pending
    expect(await gapBetween(local, 80)).toBe(80);
  });

  test('the gap is `factor` times the replay, and capped', async () => {
    const local = coordination(pacing({ factor: 3 }));
    local.pacing.stepSent('wrun_a');
    expect(await gapBetween(local, 40)).toBe(120);
    const capped = coordination(pacing({ capMs: 30 }));
    capped.pacing.stepSent('wrun_a');
    expect(await gapBetween(capped, 150)).toBe(30);
  });

  test('a long replay that sent a step message of its run does not delay the next; one for another run does', async () => {
    const local = coordination(pacing({}));
    local.pacing.stepSent('wrun_a');
    expect(await gapBetween(local, 80, () => local.pacing.stepSent('wrun_a'))).toBe(0);
    expect(await gapBetween(local, 80, () => local.pacing.stepSent('wrun_b'))).toBe(80);
  });

  test('a long replay that fanned out (sent fanOutFrom steps or more) is paced', async () => {
    const local = coordination(pacing({ fanOutFrom: 3 }));
    expect(await gapBetween(local, 80, () => [1, 2, 3].forEach(() => local.pacing.stepSent('wrun_a')))).toBe(80);
  });

  test('without a step of the run pending here, or after a short replay, there is no gap', async () => {
    expect(await gapBetween(coordination(pacing({})), 80)).toBe(0);
    const short = coordination(pacing({ fromMs: 200 }));
    short.pacing.stepSent('wrun_a');
    expect(await gapBetween(short, 10)).toBe(0);
  });

  test("the last pending step's success ends the gap early; a step reported twice counts once", async () => {
    const local = coordination(pacing({ factor: 10, capMs: 5_000 }));
    local.pacing.stepSent('wrun_a');
    local.pacing.stepSent('wrun_a');
    const log = { starts: [] as number[], ends: [] as number[] };
    const first = local.serialized('wrun_a', replay(60, log)); // asks for a 600 ms gap
    const second = local.serialized('wrun_a', replay(0, log));
    await advance(60);
    await first;
    local.pacing.stepDone('wrun_a', 'msg_1');
    local.pacing.stepDone('wrun_a', 'msg_1');
    await advance(50);
    expect(log.starts).toHaveLength(1);
    local.pacing.stepDone('wrun_a', 'msg_2');
    await second;
    expect(log.starts[1]! - log.ends[0]!).toBe(50);
  });

  test('close() lets every waiting replay run now, and a replay still running creates no new gap', async () => {
    const local = coordination(pacing({ factor: 100, capMs: 10_000 }));
    local.pacing.stepSent('wrun_a');
    const log = { starts: [] as number[], ends: [] as number[] };
    const first = local.serialized('wrun_a', replay(40, log)); // asks for a 4 s gap
    const second = local.serialized('wrun_a', replay(40, log)); // still running when close() comes
    const third = local.serialized('wrun_a', replay(0, log));
    await advance(40);
    await first;
    expect(log.starts).toHaveLength(1);
    local.pacing.close();
    await advance(0);
    expect(log.starts).toHaveLength(2);
    await advance(40);
    await second;
    await advance(0);
    await third;
    expect(log.starts[2]).toBe(log.ends[1]);
  });

  test('a long replay of one run does not hold another run', async () => {
    const local = coordination(pacing({}));
    local.pacing.stepSent('wrun_a');
    const a = local.serialized('wrun_a', () => clock.sleep(60));
    await advance(60);
    await a;
    const before = clock.now();
    await local.serialized('wrun_b', async () => undefined);
    expect(clock.now()).toBe(before);
  });

  test('a failed replay still paces the next and releases it', async () => {
    const local = coordination(pacing({}));
    local.pacing.stepSent('wrun_a');
    const failed = local.serialized('wrun_a', async () => {
      await clock.sleep(50);
      throw new Error('replay failed');
    });
    const next = local.serialized('wrun_a', async () => clock.now());
    await advance(50);
    await expect(failed).rejects.toThrow('replay failed');
    await advance(50);
    expect(await next).toBe(T0 + 100);
  });

  test("a step's own wake-up continuation does not wait out the gap that waits for that step", async () => {
    const local = coordination(pacing({ factor: 100, capMs: 10_000 }));
    local.pacing.stepSent('wrun_a');
    const first = local.serialized('wrun_a', () => clock.sleep(40)); // asks for a 4 s gap while the step is pending
    await advance(40);
    await first;
    const wake: Envelope = { v: ENVELOPE_VERSION, id: 'msg_wake', queueName: '__wkf_workflow_wf', deploymentId: 'd', payload: { runId: 'wrun_a' } };
    const replayed: number[] = [];
    await withWakeupContinuations(
      { runId: 'wrun_a', messageId: 'msg_step', finished: () => true },
      { lookup: () => async () => (replayed.push(clock.now()), { kind: 'done' as const }), local, now: () => clock.now() },
      async () => {
        expect(attachWakeup(wake, async () => undefined)).toBe(true);
      },
    );
    expect(replayed).toEqual([T0 + 40]);
  });

  test('a step that asked for a retry is not counted as done', async () => {
    const local = coordination(pacing({ factor: 5, capMs: 10_000 }));
    local.pacing.stepSent('wrun_a');
    const first = local.serialized('wrun_a', () => clock.sleep(40)); // asks for a 200 ms gap
    await advance(40);
    await first;
    await withWakeupContinuations({ runId: 'wrun_a', messageId: 'msg_step', finished: () => false }, { lookup: () => undefined, local, now: () => clock.now() }, async () => undefined);
    const next = local.serialized('wrun_a', async () => clock.now());
    await advance(200);
    expect(await next).toBe(T0 + 240);
  });
});
