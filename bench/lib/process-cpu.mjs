// CPU time (user + system, ms) of this process and of its child processes,
// from /proc (Linux only; elsewhere an empty map). Wall time on a shared
// machine moves with everyone's load; a process's CPU time per run does much less.
import { readdirSync, readFileSync } from 'node:fs';
import { clockTicks } from './clock-ticks.mjs';

function statOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ppid(1) ... utime(11) stime(12)
    return { ppid: Number(fields[1]), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks(), systemMs: (Number(fields[12]) * 1000) / clockTicks() };
  } catch {
    return undefined;
  }
}

function commandOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).map((a) => a.split('/').pop()).join(' ');
  } catch {
    return '';
  }
}

/** { '<pid> <command>': { cpuMs, systemMs } } for this process and its descendants (a PostgreSQL server's backends too). */
export function processCpu(root = process.pid) {
  const out = {};
  let pids = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  const stats = new Map(pids.map((pid) => [Number(pid), statOf(pid)]).filter(([, s]) => s));
  const ours = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, s] of stats) if (!ours.has(pid) && ours.has(s.ppid)) grew = ours.add(pid) !== undefined;
  }
  for (const pid of ours) {
    const s = stats.get(pid);
    if (s) out[`${pid} ${commandOf(pid).slice(0, 60)}`] = { cpuMs: s.cpuMs, systemMs: s.systemMs };
  }
  return out;
}

/** { cpuMs, systemMs } each process spent between two processCpu() snapshots. */
export function cpuSpent(before, after) {
  const zero = { cpuMs: 0, systemMs: 0 };
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, { cpuMs: v.cpuMs - (before[k] ?? zero).cpuMs, systemMs: v.systemMs - (before[k] ?? zero).systemMs }]));
}
