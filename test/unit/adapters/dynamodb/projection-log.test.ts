// When projections are written, and how far they are known written (`p`).
import { jest } from '@jest/globals';
import type { CommitRecord } from '../../../../src/adapters/aws/dynamodb/commit-record.js';
import { ManualClock } from '../../../../src/adapters/memory/manual-clock.js';
import { ProjectionLog, type ProjectionWriter } from '../../../../src/adapters/aws/dynamodb/projection-log.js';
import type { ProjectionBatch } from '../../../../src/adapters/aws/dynamodb/projection-writes.js';
import { RUN_ID, step, T0 } from './fixtures.js';

const rec = (seq: number, stepId = `step_${seq}`, at = T0): CommitRecord => ({
  seq,
  firstSeq: seq,
  head: { version: seq, lastEventId: `evnt_${seq}`, lastEventAt: at, eventCount: seq },
  projected: 0,
  steps: [{ entity: step(stepId, 'running'), full: false }],
  waits: [],
  deletedWaits: [],
});

function fakeWriter(log: CommitRecord[] = []) {
  const batches: ProjectionBatch[] = [];
  const reads: Array<[number, number]> = [];
  const writer: ProjectionWriter = {
    write: async (batch) => void batches.push(batch),
    readCommits: async (_runId, from, to) => {
      reads.push([from, to]);
      return log.filter((r) => r.seq >= from && r.seq <= to);
    },
  };
  return { writer, batches, reads };
}

describe('ProjectionLog', () => {
  it('coalesces a run\'s commits: each entity written once, in its newest state; p advances over them', async () => {
    const log = new ProjectionLog({ delayMs: 60_000, maxWaitMs: 60_000 });
    const { writer, batches } = fakeWriter();
    log.committed(RUN_ID, rec(1, 'step_a'), writer);
    log.committed(RUN_ID, rec(2, 'step_a'), writer);
    log.committed(RUN_ID, rec(3, 'step_b'), writer);
    expect(batches).toHaveLength(0);
    await log.flushAll();
    expect(batches).toHaveLength(1);
    expect([...batches[0]!.steps.entries()].map(([id, s]) => [id, s.seq])).toEqual([
      ['step_a', 2],
      ['step_b', 3],
    ]);
    expect(log.projected(RUN_ID)).toBe(3);
  });

  it('writes at once when maxPending commits wait', async () => {
    const log = new ProjectionLog({ delayMs: 60_000, maxWaitMs: 60_000, maxPending: 2 });
    const { writer, batches } = fakeWriter();
    log.committed(RUN_ID, rec(1), writer);
    log.committed(RUN_ID, rec(2), writer);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toHaveLength(1);
  });

  it('writes a gap left by another writer together with its own commits, then advances p past all of them', async () => {
    const theirs = rec(2, 'step_theirs');
    const log = new ProjectionLog({ delayMs: 60_000, maxWaitMs: 60_000 });
    const { writer, batches, reads } = fakeWriter([theirs]);
    log.committed(RUN_ID, rec(1), writer);
    log.committed(RUN_ID, { ...rec(3), projected: 1 }, writer);
    await log.flushAll();
    expect(reads).toEqual([[2, 2]]);
    expect(batches.map((b) => [...b.steps.keys()])).toEqual([['step_1', 'step_theirs', 'step_3']]);
    expect(log.projected(RUN_ID)).toBe(3);
  });

  it('a step created in a gap and updated by its own commits is written once, in its full state', async () => {
    const created: CommitRecord = { ...rec(2, 'step_x'), steps: [{ entity: step('step_x', 'pending'), full: true }] };
    const log = new ProjectionLog({ delayMs: 60_000, maxWaitMs: 60_000 });
    const { writer, batches } = fakeWriter([created]);
    log.observed(RUN_ID, { head: rec(1).head, projected: 1, commits: [] }, writer);
    log.committed(RUN_ID, { ...rec(3, 'step_x'), projected: 1 }, writer);
    log.committed(RUN_ID, { ...rec(4, 'step_x'), projected: 1 }, writer);
    await log.flushAll();
    expect(batches).toHaveLength(1);
    const written = batches[0]!.steps.get('step_x')!;
    expect([written.seq, written.full, written.entity.status, written.entity.input]).toEqual([4, true, 'running', step('step_x', 'pending').input]);
    expect(log.projected(RUN_ID)).toBe(4);
  });

  it('never advances p past a gap it could not read (and so did not write)', async () => {
    const log = new ProjectionLog({ delayMs: 60_000, maxWaitMs: 60_000 });
    const { writer, batches } = fakeWriter([]);
    log.committed(RUN_ID, rec(1), writer);
    log.committed(RUN_ID, { ...rec(3), projected: 1 }, writer);
    await log.flushAll();
    expect(batches.map((b) => [...b.steps.keys()])).toEqual([['step_1', 'step_3']]);
    expect(log.projected(RUN_ID)).toBe(1);
  });

  it('writes a run\'s commits when its quiet time has passed on the clock, not before', async () => {
    const clock = new ManualClock(T0);
    const log = new ProjectionLog({ delayMs: 1000, maxWaitMs: 1500, clock });
    const { writer, batches } = fakeWriter();
    log.committed(RUN_ID, rec(1), writer);
    await clock.advance(900);
    log.committed(RUN_ID, rec(2), writer);
    await clock.advance(500);
    expect(batches).toHaveLength(0);
    // The debounce is capped at maxWaitMs after the first commit.
    await clock.advance(100);
    expect(batches).toHaveLength(1);
    expect(log.projected(RUN_ID)).toBe(2);
  });

  it('a reader adopts only tail commits old enough that their writer seems gone', async () => {
    const now = T0 + 10_000;
    const log = new ProjectionLog({ delayMs: 60_000, maxWaitMs: 60_000, staleAfterMs: 5000, clock: new ManualClock(now) });
    const { writer, batches } = fakeWriter();
    log.observed(RUN_ID, { head: rec(2).head, projected: 0, commits: [rec(1, 'step_old', T0), rec(2, 'step_recent', now - 100)] }, writer);
    await log.flushAll();
    expect(batches.map((b) => [...b.steps.keys()])).toEqual([['step_old']]);
  });

  it('learning a higher p from a read drops what it covers, without a bad range read', async () => {
    const log = new ProjectionLog({ delayMs: 60_000, maxWaitMs: 60_000 });
    const { writer, reads } = fakeWriter();
    log.committed(RUN_ID, rec(1), writer);
    log.committed(RUN_ID, { ...rec(3), projected: 1 }, writer);
    log.observed(RUN_ID, { head: rec(5).head, projected: 5, commits: [] }, writer);
    await log.flushAll();
    expect(reads).toEqual([]);
    expect(log.projected(RUN_ID)).toBe(5);
  });

  it('keeps failed writes for a retry, then leaves them to readers, logging ids and counts only', async () => {
    const warn = jest.fn();
    const log = new ProjectionLog({ delayMs: 0, maxWaitMs: 0, logger: { debug: jest.fn(), info: jest.fn(), warn, error: jest.fn() } });
    const writer: ProjectionWriter = { write: async () => Promise.reject(Object.assign(new Error('down'), { code: 'InternalServerError' })), readCommits: async () => [] };
    log.committed(RUN_ID, rec(1), writer);
    await log.flushAll();
    expect(warn).toHaveBeenCalledWith('dynamodb.projection.write_failed', { runId: RUN_ID, commits: 1, givingUp: false, error: 'InternalServerError' });
    expect(log.projected(RUN_ID)).toBe(0);
  });

  it('names a wrapped failure by its cause: an unreachable DynamoDB is a network error, a modelled one by its name', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const throttled = Object.assign(new Error('x'), { name: 'ProvisionedThroughputExceededException' });
    const kinds: string[] = [];
    for (const cause of [refused, throttled]) {
      const warn = jest.fn();
      const log = new ProjectionLog({ delayMs: 0, maxWaitMs: 0, logger: { debug: jest.fn(), info: jest.fn(), warn, error: jest.fn() } });
      const writer: ProjectionWriter = { write: async () => Promise.reject(new Error('DynamoDB write failed', { cause })), readCommits: async () => [] };
      log.committed(RUN_ID, rec(1), writer);
      await log.flushAll();
      kinds.push((warn.mock.calls[0]![1] as { error: string }).error);
    }
    expect(kinds).toEqual(['network error (DynamoDB unreachable)', 'ProvisionedThroughputExceededException']);
  });
});

describe('ProjectionLog write-behind timer', () => {
  /** A manual clock that counts sleeps started and sleeps aborted. */
  class CountingClock extends ManualClock {
    sleeps = 0;
    aborted = 0;
    override sleep(ms: number, signal?: AbortSignal): Promise<void> {
      this.sleeps++;
      signal?.addEventListener('abort', () => this.aborted++, { once: true });
      return super.sleep(ms, signal);
    }
  }

  it('a busy run keeps one timer: commits push the write back without a new timer each, and it still fires on time', async () => {
    const clock = new CountingClock(T0);
    const log = new ProjectionLog({ delayMs: 300, maxWaitMs: 1000, clock });
    const { writer, batches } = fakeWriter();
    for (let seq = 1; seq <= 5; seq++) {
      log.committed(RUN_ID, rec(seq), writer);
      await clock.advance(100);
    }
    // Last commit at T0 + 400: due 300 ms later.
    expect(clock.aborted).toBe(0);
    await clock.advance(199);
    expect(batches).toHaveLength(0);
    await clock.advance(1);
    expect(batches).toHaveLength(1);
    expect([...batches[0]!.steps.keys()]).toHaveLength(5);
    // The one timer slept to its first due time, then waited out the push-backs twice: three sleeps, not five.
    expect(clock.sleeps).toBe(3);
    expect(clock.aborted).toBe(0);
  });

  it('a write pushed back past maxWaitMs is still capped at maxWaitMs after the first commit', async () => {
    const clock = new CountingClock(T0);
    const log = new ProjectionLog({ delayMs: 400, maxWaitMs: 1000, clock });
    const { writer, batches } = fakeWriter();
    for (let seq = 1; seq <= 6; seq++) {
      log.committed(RUN_ID, rec(seq), writer);
      if (seq < 6) await clock.advance(199);
    }
    // Commits until T0 + 995, the last one due at T0 + 1395 but capped at T0 + 1000.
    await clock.advance(4);
    expect(batches).toHaveLength(0);
    await clock.advance(1);
    expect(batches).toHaveLength(1);
    expect(log.projected(RUN_ID)).toBe(6);
  });

  it('a clock whose sleeps end before their time gets the write at the first wake-up, not a loop of re-armed timers', async () => {
    const clock = { now: () => T0, sleep: async () => {} };
    const log = new ProjectionLog({ delayMs: 1000, maxWaitMs: 1000, clock });
    const { writer, batches } = fakeWriter();
    log.committed(RUN_ID, rec(1), writer);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toHaveLength(1);
  });

  it('a flush replaces the timer, and the next commit arms a new one', async () => {
    const clock = new CountingClock(T0);
    const log = new ProjectionLog({ delayMs: 500, maxWaitMs: 500, clock });
    const { writer, batches } = fakeWriter();
    log.committed(RUN_ID, rec(1), writer);
    await log.flushAll();
    expect(batches).toHaveLength(1);
    expect(clock.aborted).toBe(1);
    log.committed(RUN_ID, rec(2), writer);
    await clock.advance(499);
    expect(batches).toHaveLength(1);
    await clock.advance(1);
    expect(batches).toHaveLength(2);
    expect(log.projected(RUN_ID)).toBe(2);
  });
});
