// Runs the project's own `wf build` (standalone target), so the bundles come
// from the Workflow version the project depends on. `wf build` writes
// .well-known/workflow/v1 and .swc/ in the project (and may add /.swc to its
// .gitignore); that is the Workflow builder's own behaviour, not ours.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { CliFailure } from '../errors.js';

/** `workflow` exports no package.json; `workflow/api` lives in its dist/. */
export function resolveWfBin(projectDir: string): string {
  const require = createRequire(join(resolve(projectDir), 'package.json'));
  let api: string;
  try {
    api = require.resolve('workflow/api');
  } catch {
    throw new CliFailure(`The "workflow" package is not installed in ${projectDir}: install it, or pass --workflow-dir with existing bundles.`);
  }
  return join(dirname(api), '..', 'bin', 'run.js');
}

/** `cwd`: where `wf build` runs and writes (default the project; deploy uses a staging directory). */
export async function runWfBuild(projectDir: string, options: { timeoutMs?: number; cwd?: string } = {}): Promise<{ output: string }> {
  const bin = resolveWfBin(projectDir);
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [bin, 'build', '--target', 'standalone'],
      { cwd: options.cwd ?? projectDir, timeout: options.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (!error) return done({ output });
        const lastLines = output.trim().split('\n').slice(-5).join(' | ');
        fail(new CliFailure(`wf build failed in ${projectDir}: ${lastLines || error.message}`));
      },
    );
  });
}
