// The manual clock wakes sleeps in due order, letting woken code run first.
import { ManualClock } from '../../../../src/adapters/memory/manual-clock.js';

describe('ManualClock', () => {
  it('starts where told and only moves on advance', async () => {
    const clock = new ManualClock(500);
    expect(clock.now()).toBe(500);
    await clock.advance(250);
    expect(clock.now()).toBe(750);
  });

  it('resolves sleeps in due order, each at its due time', async () => {
    const clock = new ManualClock();
    const woke: Array<[string, number]> = [];
    void clock.sleep(300).then(() => woke.push(['b', clock.now()]));
    void clock.sleep(100).then(() => woke.push(['a', clock.now()]));
    void clock.sleep(1_000).then(() => woke.push(['c', clock.now()]));
    expect(clock.pendingSleeps).toBe(3);
    await clock.advance(500);
    expect(woke).toEqual([
      ['a', 100],
      ['b', 300],
    ]);
    expect(clock.pendingSleeps).toBe(1);
    expect(clock.now()).toBe(500);
  });

  it('also wakes sleeps started by woken code when they fall due within the same advance', async () => {
    const clock = new ManualClock();
    const ticks: number[] = [];
    void (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(1_000);
        ticks.push(clock.now());
      }
    })();
    await clock.advance(2_500);
    expect(ticks).toEqual([1_000, 2_000]);
    await clock.advance(500);
    expect(ticks).toEqual([1_000, 2_000, 3_000]);
  });

  it('resolves a non-positive sleep at once', async () => {
    const clock = new ManualClock();
    await expect(clock.sleep(0)).resolves.toBeUndefined();
    expect(clock.pendingSleeps).toBe(0);
  });

  it('rejects with the abort reason and forgets the sleep', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pendingSleeps).toBe(0);
    await expect(clock.sleep(10, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses to go back in time', async () => {
    await expect(new ManualClock().advance(-1)).rejects.toThrow(RangeError);
  });
});
