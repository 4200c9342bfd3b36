// Reads the step bodies' ledger (test/e2e/fixtures/app/shared/ledger.ts) and
// judges it: each expected body ran, and a body ran again only after a run
// that began in a process the test killed.
import { readFileSync } from 'node:fs';
import type { LedgerEntry } from '../../e2e/fixtures/app/shared/ledger.js';

export function readLedger(file: string): LedgerEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LedgerEntry);
}

export interface LedgerVerdict {
  /** Per run with expected bodies that have no ledger line: which, and when its last body began. */
  missing: string[];
  /** Bodies that ran again after a run in a process that was not killed. */
  duplicates: string[];
  /** Bodies that ran again after a run in a killed process (allowed). */
  rerunAfterKill: number;
}

/** `expected` maps each run id to the ledger keys its bodies write. */
export function judgeLedger(entries: LedgerEntry[], expected: Map<string, string[]>, killedPids: ReadonlySet<number>): LedgerVerdict {
  const byBody = new Map<string, LedgerEntry[]>();
  for (const entry of entries) {
    const id = `${entry.runId} ${entry.key}`;
    byBody.set(id, [...(byBody.get(id) ?? []), entry]);
  }
  const missing = [...expected].flatMap(([runId, keys]) => {
    const absent = keys.filter((key) => !byBody.has(`${runId} ${key}`));
    if (absent.length === 0) return [];
    const last = Math.max(0, ...entries.filter((e) => e.runId === runId).map((e) => e.at));
    const lastSeen = last ? `its last body began at ${new Date(last).toISOString()}` : 'no body of it began';
    return [`run ${runId}: ${absent.length} of ${keys.length} step bodies never ran (${absent.slice(0, 5).join(', ')}${absent.length > 5 ? ', …' : ''}); ${lastSeen}`];
  });
  const duplicates: string[] = [];
  let rerunAfterKill = 0;
  for (const [id, runs] of byBody) {
    if (runs.length < 2) continue;
    // Every run but the last must have begun in a killed process.
    const unexcused = runs.slice(0, -1).filter((run) => !killedPids.has(run.pid));
    if (unexcused.length > 0) {
      const where = runs.map((r) => `pid ${r.pid}${killedPids.has(r.pid) ? ' (killed)' : ''} step ${r.stepId} attempt ${r.attempt}`);
      duplicates.push(`${id}: ran ${runs.length} times: ${where.join('; ')}`);
    } else {
      rerunAfterKill += runs.length - 1;
    }
  }
  return { missing, duplicates, rerunAfterKill };
}
