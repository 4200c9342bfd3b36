// BENCH_CPU_PROF=<dir>: the bench's child processes (app servers, the local
// AWS) run under `node --cpu-prof`, each writing its profile into
// <dir>/<name>/ when it exits. Split one with cpu-profile-split.mjs.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Node flags that profile a child named `name`, or none when BENCH_CPU_PROF is unset. */
export function cpuProfileArgs(name) {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return [];
  const into = join(resolve(dir), name.replace(/[^\w.-]+/g, '-'));
  mkdirSync(into, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${into}`];
}
