// The ledger verdict the fault cases rely on: a re-run is excused only when
// every earlier run of that body began in a killed process.
import { judgeLedger } from './ledger.js';

const entry = (pid: number, key: string, at = 1_000) => ({ pid, runId: 'wrun_1', stepId: `step_${key}`, key, attempt: 1, at });

describe('judgeLedger', () => {
  const expected = new Map([['wrun_1', ['a', 'b']]]);

  test('each body once: no problem', () => {
    expect(judgeLedger([entry(1, 'a'), entry(2, 'b')], expected, new Set())).toEqual({ missing: [], duplicates: [], rerunAfterKill: 0 });
  });

  test('a body run again after its first run in a killed process is excused and counted', () => {
    const verdict = judgeLedger([entry(1, 'a'), entry(2, 'a'), entry(2, 'b')], expected, new Set([1]));
    expect(verdict).toEqual({ missing: [], duplicates: [], rerunAfterKill: 1 });
  });

  test('a body run twice where the earlier run was in a live process is a duplicate, naming both processes', () => {
    const verdict = judgeLedger([entry(1, 'a'), entry(2, 'a'), entry(2, 'b')], expected, new Set([2]));
    expect(verdict.duplicates).toEqual(['wrun_1 a: ran 2 times: pid 1 step step_a attempt 1; pid 2 (killed) step step_a attempt 1']);
  });

  test('a killed run between two live ones does not excuse the first', () => {
    const verdict = judgeLedger([entry(1, 'a'), entry(3, 'a'), entry(2, 'a'), entry(2, 'b')], expected, new Set([3]));
    expect(verdict.duplicates).toHaveLength(1);
  });

  test('a body that never ran is reported per run, with when the run last moved', () => {
    const verdict = judgeLedger([entry(1, 'a', Date.UTC(2026, 0, 1))], expected, new Set());
    expect(verdict.missing).toEqual(['run wrun_1: 1 of 2 step bodies never ran (b); its last body began at 2026-01-01T00:00:00.000Z']);
  });
});
