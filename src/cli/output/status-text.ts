// `status` for people: a few aligned sections, the numbers first.
import type { StatusResult } from '../operations/status.js';
import type { RunCount } from '../status/runs.js';

export function formatStatus(s: StatusResult): string {
  const served = s.line === undefined ? '' : s.line === 'none' ? ', no Workflow line recorded yet' : `, serves workflow@${s.line}`;
  const lines: string[] = [`installation "${s.name}" in ${s.region}${served}`, ''];
  lines.push('queues                         visible  in-flight  delayed');
  for (const q of s.queues) {
    lines.push(
      q.exists
        ? `  ${q.name.padEnd(28)} ${pad(q.visible)} ${pad(q.inFlight, 10)} ${pad(q.delayed)}`
        : `  ${q.name.padEnd(28)} missing`,
    );
  }
  lines.push('', 'tables');
  for (const t of s.tables) {
    lines.push(`  ${t.name.padEnd(28)} ${t.exists ? `${t.status ?? '?'}, ~${t.approximateItems ?? '?'} items, TTL ${t.ttl ?? 'n/a'}` : 'missing'}`);
  }
  lines.push(`  bucket ${s.bucket.name}: ${s.bucket.exists ? 'present' : 'missing'}`);
  if (s.function) {
    const f = s.function;
    lines.push('', 'function');
    lines.push(
      f.exists
        ? `  ${f.name}: ${f.state ?? '?'}, last update ${f.lastUpdateStatus ?? '?'}, version ${f.version ?? 'unknown'}, code ${f.codeSizeBytes ?? '?'} B, ${f.memoryMb ?? '?'} MB, ${f.timeoutSeconds ?? '?'} s, ${f.architecture ?? '?'}`
        : `  ${f.name}: missing`,
    );
    for (const m of s.mappings ?? []) {
      lines.push(`  mapping ${m.queueArn?.split(':').pop() ?? m.uuid}: ${m.state ?? 'missing'}, batch ${m.batchSize ?? '?'}, max concurrency ${m.maximumConcurrency ?? 'unset'}`);
    }
  }
  if (s.runs) {
    const r = s.runs;
    lines.push('', 'runs');
    lines.push(`  ${Object.entries(r.byStatus).map(([k, v]) => `${k} ${count(v)}`).join(', ')}`);
    lines.push(`  active ${count(r.active)}${r.oldestActive ? `; oldest ${r.oldestActive.runId} (${r.oldestActive.workflowName}, ${r.oldestActive.status}) ${age(r.oldestActive.ageSeconds)} old` : ''}`);
    if (r.lastFailed.length > 0) {
      lines.push('  last failed:');
      for (const f of r.lastFailed) lines.push(`    ${f.runId} ${f.workflowName}${f.failedAt ? ` at ${f.failedAt}` : ''}: ${f.error ?? '(no message)'}`);
    }
  }
  lines.push('', s.drift.length === 0 ? 'no drift from what bootstrap creates' : 'drift:');
  for (const d of s.drift) lines.push(`  ${d}`);
  for (const k of s.skipped) lines.push(`skipped ${k}`);
  lines.push('', s.problems.length === 0 ? 'no dead letters or recently failed runs' : 'needs attention:');
  for (const p of s.problems) lines.push(`  ${p}`);
  return lines.join('\n');
}

function pad(n: number | undefined, width = 8): string {
  return String(n ?? '?').padStart(width);
}

function count(c: RunCount): string {
  return c.capped ? `${c.count}+` : String(c.count);
}

export function age(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}
