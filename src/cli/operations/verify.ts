// verify: fold each run's event log and compare its run, steps, hooks and
// waits with what the installation serves and stores (world/verify.ts);
// with repair, rewrite drifted projections from the log.
import type { CliContext } from '../base-command.js';
import { installationWorldOptions, useCliCredentials } from '../status/installation-world.js';
import { verifyProjections, type VerifyResult } from '../../world/verify.js';

export interface VerifyCommandOptions {
  runId?: string;
  sinceMs?: number;
  repair: boolean;
}

export function verifyInstallation(ctx: Pick<CliContext, 'name' | 'region' | 'names' | 'clientOptions'>, options: VerifyCommandOptions): Promise<VerifyResult> {
  useCliCredentials(ctx);
  return verifyProjections({
    ...installationWorldOptions(ctx),
    ...(options.runId ? { runIds: [options.runId] } : {}),
    ...(options.sinceMs === undefined ? {} : { sinceMs: options.sinceMs }),
    repair: options.repair,
  });
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `6h`, `7d` → ms; anything else is refused with the accepted forms. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) throw new Error(`--since: "${text}" is not a duration; use a positive whole number with s, m, h or d (e.g. 30m, 6h, 7d)`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

/** One line per difference: ids, entity, problem, field names and statuses only. */
export function formatVerify(name: string, result: VerifyResult): string {
  const lines = [...result.drift, ...result.late].map((d) => {
    const status = d.expectedStatus || d.actualStatus ? ` (log: ${d.expectedStatus ?? '-'}, stored: ${d.actualStatus ?? '-'})` : '';
    const fields = d.fields?.length ? ` [${d.fields.join(', ')}]` : '';
    return `  ${d.runId} ${d.entity} ${d.id}: ${d.problem}${fields}${status}${d.detail ? ` ${d.detail}` : ''}`;
  });
  const runs = new Set(result.drift.map((d) => d.runId)).size;
  const late = result.late.length ? `, ${result.late.length} projection(s) late (readers apply the log)` : '';
  const repaired = result.repaired.length ? `; repaired ${result.repaired.length} run(s) from their logs` : '';
  const head =
    result.drift.length === 0
      ? `"${name}": ${result.runsChecked} run(s) checked, every read matches its log${late}${repaired}.`
      : `"${name}": ${result.runsChecked} run(s) checked, ${result.drift.length} difference(s) in ${runs} run(s)${late}${repaired}:`;
  return [head, ...lines].join('\n');
}
