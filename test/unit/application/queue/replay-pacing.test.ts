// Replays of one run are serialized per process; after a long replay that
// sent no new step message while steps this process sent are still pending,
// the next one of the same run waits (a multiple of its length, capped, ended
// early by the last pending step's success); short replays, replays that sent
// a step, and runs with no pending step here never delay the next, and other
// runs are never held.
import { ENVELOPE_VERSION, type Envelope } from '../../../../src/application/queue/envelope.js';
import { DEFAULT_REPLAY_PACING, LocalCoordination, replayGapMs } from '../../../../src/application/queue/local-coordination.js';
import { attachWakeup, withWakeupContinuations } from '../../../../src/application/queue/wakeup-continuation.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    expect(replayGapMs(300, { fromMs: 100, factor: 1, capMs: 400, fanOutFrom: 50 })).toBe(300);
    expect(replayGapMs(900, { fromMs: 100, factor: 1, capMs: 400, fanOutFrom: 50 })).toBe(400);
  });
});

describe('LocalCoordination.serialized', () => {
  test('calls for one run never overlap', async () => {
    const local = new LocalCoordination({ fromMs: 10_000, factor: 1, capMs: 10_000, fanOutFrom: 50 });
    let running = 0;
    let most = 0;
    const work = async () => {
      most = Math.max(most, ++running);
      await sleep(5);
      running--;
    };
    await Promise.all([1, 2, 3].map(() => local.serialized('wrun_a', work)));
    expect(most).toBe(1);
  });

  test('after a long replay the next of the same run waits about as long again', async () => {
    const local = new LocalCoordination({ fromMs: 40, factor: 1, capMs: 1_000, fanOutFrom: 50 });
    local.stepSent('wrun_a'); // a step sent by an earlier replay, still pending
    const ends: number[] = [];
    const starts: number[] = [];
    const replay = (ms: number) => async () => {
      starts.push(Date.now());
      await sleep(ms);
      ends.push(Date.now());
    };
    await Promise.all([local.serialized('wrun_a', replay(80)), local.serialized('wrun_a', replay(1))]);
    // Timers may fire a millisecond early; the gap is the first replay's length.
    expect(starts[1]! - ends[0]!).toBeGreaterThanOrEqual(70);
  });

  test('the gap is `factor` times the replay', async () => {
    const local = new LocalCoordination({ fromMs: 20, factor: 3, capMs: 1_000, fanOutFrom: 50 });
    local.stepSent('wrun_a');
    const ends: number[] = [];
    const starts: number[] = [];
    const replay = (ms: number) => async () => {
      starts.push(Date.now());
      await sleep(ms);
      ends.push(Date.now());
    };
    await Promise.all([local.serialized('wrun_a', replay(40)), local.serialized('wrun_a', replay(1))]);
    expect(starts[1]! - ends[0]!).toBeGreaterThanOrEqual(110);
  });

  test('a long replay that sent a step message of its run does not delay the next', async () => {
    const local = new LocalCoordination({ fromMs: 20, factor: 1, capMs: 1_000, fanOutFrom: 50 });
    local.stepSent('wrun_a');
    const ends: number[] = [];
    const starts: number[] = [];
    const replay = (sendsStepOf?: string) => async () => {
      starts.push(Date.now());
      await sleep(80);
      if (sendsStepOf) local.stepSent(sendsStepOf);
      ends.push(Date.now());
    };
    await Promise.all([local.serialized('wrun_a', replay('wrun_a')), local.serialized('wrun_a', replay())]);
    expect(starts[1]! - ends[0]!).toBeLessThan(50);
    // A step of another run is not this run's progress.
    await Promise.all([local.serialized('wrun_a', replay('wrun_b')), local.serialized('wrun_a', replay())]);
    expect(starts[3]! - ends[2]!).toBeGreaterThanOrEqual(70);
  });

  test('a long replay that fanned out (sent fanOutFrom steps or more) is paced', async () => {
    const local = new LocalCoordination({ fromMs: 20, factor: 1, capMs: 1_000, fanOutFrom: 3 });
    const marks: number[] = [];
    await Promise.all([
      local.serialized('wrun_a', async () => {
        await sleep(80);
        for (let i = 0; i < 3; i++) local.stepSent('wrun_a');
        marks.push(Date.now());
      }),
      local.serialized('wrun_a', async () => void marks.push(Date.now())),
    ]);
    expect(marks[1]! - marks[0]!).toBeGreaterThanOrEqual(70);
  });

  test('without a step of the run pending here there is no gap', async () => {
    const local = new LocalCoordination({ fromMs: 20, factor: 1, capMs: 1_000, fanOutFrom: 50 });
    const marks: number[] = [];
    await Promise.all([
      local.serialized('wrun_a', async () => {
        await sleep(80);
        marks.push(Date.now());
      }),
      local.serialized('wrun_a', async () => void marks.push(Date.now())),
    ]);
    expect(marks[1]! - marks[0]!).toBeLessThan(50);
  });

  test("the last pending step's success ends the gap early", async () => {
    const local = new LocalCoordination({ fromMs: 20, factor: 10, capMs: 5_000, fanOutFrom: 50 });
    local.stepSent('wrun_a');
    local.stepSent('wrun_a');
    const marks: number[] = [];
    const first = local.serialized('wrun_a', async () => {
      await sleep(60); // asks for a 600 ms gap
      marks.push(Date.now());
    });
    const second = local.serialized('wrun_a', async () => void marks.push(Date.now()));
    await first;
    local.stepDone('wrun_a', 'msg_1'); // one step still pending: the gap goes on
    local.stepDone('wrun_a', 'msg_1'); // the same step reported twice (handler and consumer) counts once
    await sleep(50);
    expect(marks).toHaveLength(1);
    local.stepDone('wrun_a', 'msg_2');
    await second;
    expect(marks[1]! - marks[0]!).toBeLessThan(300);
  });

  test('endGaps lets every waiting replay run now', async () => {
    const local = new LocalCoordination({ fromMs: 20, factor: 100, capMs: 10_000, fanOutFrom: 50 });
    local.stepSent('wrun_a');
    const marks: number[] = [];
    const first = local.serialized('wrun_a', async () => {
      await sleep(40); // asks for a 4 s gap
      marks.push(Date.now());
    });
    const second = local.serialized('wrun_a', async () => void marks.push(Date.now()));
    await first;
    local.endGaps();
    await second;
    expect(marks[1]! - marks[0]!).toBeLessThan(500);
  });

  test('the gap is capped', async () => {
    const local = new LocalCoordination({ fromMs: 20, factor: 1, capMs: 30, fanOutFrom: 50 });
    local.stepSent('wrun_a');
    const ends: number[] = [];
    const starts: number[] = [];
    const replay = (ms: number) => async () => {
      starts.push(Date.now());
      await sleep(ms);
      ends.push(Date.now());
    };
    await Promise.all([local.serialized('wrun_a', replay(150)), local.serialized('wrun_a', replay(1))]);
    const gap = starts[1]! - ends[0]!;
    expect(gap).toBeGreaterThanOrEqual(25);
    expect(gap).toBeLessThan(140);
  });

  test('a short replay does not delay the next', async () => {
    const local = new LocalCoordination({ fromMs: 200, factor: 1, capMs: 1_000, fanOutFrom: 50 });
    local.stepSent('wrun_a');
    const ends: number[] = [];
    const starts: number[] = [];
    const replay = async () => {
      starts.push(Date.now());
      await sleep(10);
      ends.push(Date.now());
    };
    await Promise.all([local.serialized('wrun_a', replay), local.serialized('wrun_a', replay)]);
    expect(starts[1]! - ends[0]!).toBeLessThan(50);
  });

  test('a long replay of one run does not hold another run', async () => {
    const local = new LocalCoordination({ fromMs: 20, factor: 1, capMs: 1_000, fanOutFrom: 50 });
    local.stepSent('wrun_a');
    await local.serialized('wrun_a', () => sleep(60));
    const t0 = Date.now();
    await local.serialized('wrun_b', async () => undefined);
    expect(Date.now() - t0).toBeLessThan(40);
  });

  test('a failed replay still paces the next and releases it', async () => {
    const local = new LocalCoordination({ fromMs: 20, factor: 1, capMs: 1_000, fanOutFrom: 50 });
    local.stepSent('wrun_a');
    let failedAt = 0;
    const failed = local.serialized('wrun_a', async () => {
      await sleep(50);
      failedAt = Date.now();
      throw new Error('replay failed');
    });
    const next = local.serialized('wrun_a', async () => Date.now());
    await expect(failed).rejects.toThrow('replay failed');
    expect((await next) - failedAt).toBeGreaterThanOrEqual(40);
  });

  test("a step's own wake-up continuation does not wait out the gap that waits for that step", async () => {
    const local = new LocalCoordination({ fromMs: 20, factor: 100, capMs: 10_000, fanOutFrom: 50 });
    local.stepSent('wrun_a');
    await local.serialized('wrun_a', () => sleep(40)); // asks for a 4 s gap while the step is pending
    const wake: Envelope = { v: ENVELOPE_VERSION, id: 'msg_wake', queueName: '__wkf_workflow_wf', deploymentId: 'd', payload: { runId: 'wrun_a' } };
    const replayed: number[] = [];
    const t0 = Date.now();
    await withWakeupContinuations(
      { runId: 'wrun_a', messageId: 'msg_step', finished: () => true },
      { lookup: () => async () => (replayed.push(Date.now()), { kind: 'done' as const }), local, now: () => Date.now() },
      async () => {
        expect(attachWakeup(wake, async () => undefined)).toBe(true);
      },
    );
    expect(replayed).toHaveLength(1);
    expect(replayed[0]! - t0).toBeLessThan(1_000);
  });

  test('a step that asked for a retry is not counted as done', async () => {
    const local = new LocalCoordination({ fromMs: 20, factor: 5, capMs: 10_000, fanOutFrom: 50 });
    local.stepSent('wrun_a');
    await local.serialized('wrun_a', () => sleep(40)); // asks for a 200 ms gap
    const t0 = Date.now();
    await withWakeupContinuations(
      { runId: 'wrun_a', messageId: 'msg_step', finished: () => false },
      { lookup: () => undefined, local, now: () => Date.now() },
      async () => undefined,
    );
    await local.serialized('wrun_a', async () => undefined);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
  });
});
