// The real clock's sleeps wait in real time and stop on abort.
import { SystemClock } from '../../../../src/adapters/system/system-clock.js';

describe('SystemClock', () => {
  const clock = new SystemClock();

  it('reads wall time', () => {
    const before = Date.now();
    expect(clock.now()).toBeGreaterThanOrEqual(before);
  });

  it('sleeps for about the requested time', async () => {
    const started = performance.now();
    await clock.sleep(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('rejects with the abort reason as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 20);
    await expect(clock.sleep(60_000, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('rejects at once when already aborted', async () => {
    await expect(clock.sleep(60_000, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });
});
