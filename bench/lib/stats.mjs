// Timing and summary helpers shared by the benchmarks.
import { randomBytes } from 'node:crypto';

export const now = () => performance.now();
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** n, p50, p95, max and mean (ms, 2 decimals) of a list of durations. */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);
  const mean = sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1);
  return { n: sorted.length, p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), max: round(sorted.at(-1)), mean: round(mean) };
}

/** Times one call; returns [result, ms]. */
export async function timed(fn) {
  const start = now();
  const result = await fn();
  return [result, now() - start];
}

/** A unique, runtime-like correlation id (`step_` + 26 base32 chars); world-postgres keys steps globally. */
export function newStepId() {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return `step_${[...randomBytes(26)].map((b) => alphabet[b & 31]).join('')}`;
}

export const bytes = (n, fill = 7) => new Uint8Array(n).fill(fill);

/** A deadline helper: `left()` ms remaining, `over()` once passed. */
export function budget(ms) {
  const end = now() + ms;
  return { left: () => end - now(), over: () => now() >= end };
}

/** Fixed-width text table: rows of cells, first row is the header. */
export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c ?? '').padEnd(widths[i]) : String(c ?? '').padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export const fmt = (x, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? '—' : Number(x).toFixed(digits));
