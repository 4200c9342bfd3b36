import { ManualClock } from '../../../../src/adapters/memory/manual-clock.js';
import { whileLeased } from '../../../../src/application/queue/lease-keeper.js';
import type { LogFields, Logger } from '../../../../src/ports/logger.js';
import type { MessageQueue } from '../../../../src/ports/message-queue.js';

function recordingQueue() {
  const extensions: Array<{ at: number; seconds: number }> = [];
  return { extensions, queue: (clock: ManualClock) => ({ setVisibility: async (_c: string, _r: string, seconds: number) => void extensions.push({ at: clock.now(), seconds }) }) as unknown as MessageQueue };
}

function recordingLogger() {
  const errors: Array<{ message: string; fields?: LogFields }> = [];
  const logger: Logger = { debug() {}, info() {}, warn() {}, error: (message, fields) => void errors.push({ message, fields }) };
  return { errors, logger };
}

/** Lets the handler "run" for `ms` of manual time. */
async function runFor(clock: ManualClock, ms: number, stepMs = 1000): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) await clock.advance(stepMs);
}

describe('whileLeased', () => {
  it('extends the lease every half lease while the handler runs, and stops when it settles', async () => {
    const clock = new ManualClock(0);
    const { extensions, queue } = recordingQueue();
    const { logger } = recordingLogger();
    let finish!: () => void;
    const done = whileLeased({ queue: queue(clock), channel: 'step', receipt: 'r', leaseSeconds: 10 }, clock, logger, () => new Promise<void>((r) => (finish = r)));
    await runFor(clock, 31_000);
    finish();
    await done;
    expect(extensions.map((e) => e.at)).toEqual([5_000, 10_000, 15_000, 20_000, 25_000, 30_000]);
    expect(extensions.every((e) => e.seconds === 10)).toBe(true);
    await runFor(clock, 20_000);
    expect(extensions).toHaveLength(6);
  });
});
