// A safety net skips its run only when the step is terminal and the run's log
// went on after it (a replay saw it, or other work will wake the run).
import type { Storage } from '@workflow/world';
import { stepFinishedIn } from '../../../../src/application/queue/step-finished.js';

const STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
const TAILS = { 'none (empty log)': undefined, 'this step': 'step_1', 'another step': 'step_2', 'a run event': null } as const;

function log(status: (typeof STATUSES)[number], last: string | null | undefined): Pick<Storage, 'steps' | 'events'> {
  return {
    steps: { get: async (runId: string, stepId: string) => ({ runId, stepId, status }) },
    events: { list: async () => ({ data: last === undefined ? [] : [{ eventType: 'x', correlationId: last ?? undefined }], cursor: null, hasMore: false }) },
  } as unknown as Pick<Storage, 'steps' | 'events'>;
}

describe('stepFinishedIn', () => {
  for (const status of STATUSES) {
    for (const [tail, last] of Object.entries(TAILS)) {
      const terminal = status === 'completed' || status === 'failed' || status === 'cancelled';
      const want = terminal && last !== undefined && last !== 'step_1';
      it(`${status} step, last event: ${tail} → ${want ? 'finished' : 'run the lease check'}`, async () => {
        expect(await stepFinishedIn(log(status, last))('wrun_1', 'step_1')).toBe(want);
      });
    }
  }

  it('reads the step without its data and only the last event', async () => {
    const calls: unknown[] = [];
    const spy = {
      steps: { get: async (...args: unknown[]) => (calls.push(['steps.get', ...args]), { status: 'completed' }) },
      events: { list: async (params: unknown) => (calls.push(['events.list', params]), { data: [], cursor: null, hasMore: false }) },
    } as unknown as Pick<Storage, 'steps' | 'events'>;
    await stepFinishedIn(spy)('wrun_1', 'step_1');
    expect(calls).toEqual([
      ['steps.get', 'wrun_1', 'step_1', { resolveData: 'none' }],
      ['events.list', { runId: 'wrun_1', pagination: { limit: 1, sortOrder: 'desc' }, resolveData: 'none' }],
    ]);
  });

  it('a step it cannot read is an error for the caller (the lifecycle then takes the lease check)', async () => {
    const failing = { steps: { get: async () => Promise.reject(new Error('not found')) }, events: { list: async () => ({ data: [] }) } } as unknown as Pick<Storage, 'steps' | 'events'>;
    await expect(stepFinishedIn(failing)('wrun_1', 'step_1')).rejects.toThrow('not found');
  });
});
