// Runs the streams benchmark (bench/streams.*, owned separately) as a child
// process and returns its output. A plain .mjs/.js is run as is; the .ts
// source is bundled first with esbuild (a dependency of the package) into
// bench/.build/, so bare imports still resolve from the project's node_modules.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BENCH = fileURLToPath(new URL('../', import.meta.url));

async function entry() {
  for (const name of ['streams.mjs', 'streams.js']) if (existsSync(join(BENCH, name))) return join(BENCH, name);
  const source = join(BENCH, 'streams.ts');
  if (!existsSync(source)) return undefined;
  const { build } = await import('esbuild');
  const outfile = join(BENCH, '.build', 'streams.mjs');
  await build({ entryPoints: [source], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'silent' });
  return outfile;
}

/** { skipped } | { output, seconds } | { error }; bounded by `timeoutMs`. */
export async function runStreamsBenchmark({ timeoutMs = 240_000 } = {}) {
  let file;
  try {
    file = await entry();
  } catch (error) {
    return { error: `could not build bench/streams.ts: ${String(error?.message ?? error).slice(0, 500)}` };
  }
  if (!file) return { skipped: 'no bench/streams.* found' };
  const started = Date.now();
  try {
    const { stdout } = await run(process.execPath, [file], { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, env: process.env, killSignal: 'SIGTERM' });
    return { output: stdout.trim(), seconds: Math.round((Date.now() - started) / 100) / 10 };
  } catch (error) {
    return { error: `${error.killed ? `timed out after ${timeoutMs / 1000} s` : `exit ${error.code}`}: ${String(error.stderr ?? error.message).slice(-800)}` };
  }
}
