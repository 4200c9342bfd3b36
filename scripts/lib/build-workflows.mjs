// Builds an app's workflows with the official `wf build` (standalone target)
// once, and again only when a source is newer than the last build. Shared by
// the e2e harness and the example runner; concurrent callers (parallel jest
// workers) serialise on a lock directory so only one of them builds. The
// `workflow` package is this package's (4.x) unless a caller names another
// installation (the 5 line's, test/e2e-v5).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
/** The installed `workflow` package (the same one the apps import); it exports no package.json. */
const defaultWorkflowDir = resolve(dirname(require.resolve('workflow/api')), '..');

export const BUNDLE_DIR = join('.well-known', 'workflow', 'v1');
const STAMP = '.build-stamp';
const LOCK_STALE_MS = 180_000;
const SKIP_DIRS = new Set(['node_modules', '.well-known', '.swc', '.git']);

/** Newest mtime (ms) among the app's sources, the installed `workflow` package and this script. */
async function newestSourceMtime(appDir, workflowDir) {
  let newest = Math.max(
    (await stat(join(workflowDir, 'package.json'))).mtimeMs,
    (await stat(fileURLToPath(import.meta.url))).mtimeMs,
  );
  const walk = async (dir) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (SKIP_DIRS.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else newest = Math.max(newest, (await stat(path)).mtimeMs);
    }
  };
  await walk(appDir);
  return newest;
}

async function isFresh(appDir, workflowDir) {
  const stamp = await stat(join(appDir, BUNDLE_DIR, STAMP)).catch(() => undefined);
  return stamp !== undefined && stamp.mtimeMs >= (await newestSourceMtime(appDir, workflowDir));
}

/**
 * 4.x: flow.js and step.js are CommonJS bundles while the apps are ESM
 * packages; webhook.js is unbundled ESM, so it gets an .mjs twin.
 */
async function adapt4xBundles(dir) {
  await writeFile(join(dir, BUNDLE_DIR, 'package.json'), '{ "type": "commonjs" }\n');
  await copyFile(join(dir, BUNDLE_DIR, 'webhook.js'), join(dir, BUNDLE_DIR, 'webhook.mjs'));
}

async function acquireLock(lockDir, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(lockDir);
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const age = Date.now() - ((await stat(lockDir).catch(() => undefined))?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) await rm(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for build lock ${lockDir}`);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Ensures `<appDir>/.well-known/workflow/v1/{flow,step,webhook}.js` and
 * manifest.json are built and current. Returns true when it had to build.
 * `workflowDir`: another installed `workflow` package to build with, whose
 * output is then left as its builder wrote it.
 */
export async function ensureWorkflowsBuilt(appDir, { timeoutMs = 180_000, workflowDir = defaultWorkflowDir } = {}) {
  const dir = resolve(appDir);
  if (await isFresh(dir, workflowDir)) return false;
  const lockDir = join(tmpdir(), `wf-build-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}.lock`);
  await acquireLock(lockDir, timeoutMs);
  try {
    if (await isFresh(dir, workflowDir)) return false; // another worker built it while we waited
    const startedAt = Date.now();
    try {
      await run(process.execPath, [join(workflowDir, 'bin', 'run.js'), 'build'], { cwd: dir, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      throw new Error(`wf build failed in ${dir}:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
    if (workflowDir === defaultWorkflowDir) await adapt4xBundles(dir);
    // Stamp with the build's start time, so an edit made during the build triggers a rebuild.
    await writeFile(join(dir, BUNDLE_DIR, STAMP), `${new Date(startedAt).toISOString()}\n`);
    await utimes(join(dir, BUNDLE_DIR, STAMP), startedAt / 1000, startedAt / 1000);
    return true;
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

// CLI: node scripts/lib/build-workflows.mjs <appDir>
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const appDir = process.argv[2];
  if (!appDir) {
    console.error('usage: node scripts/lib/build-workflows.mjs <appDir>');
    process.exit(2);
  }
  const built = await ensureWorkflowsBuilt(appDir);
  console.log(built ? `built ${appDir}` : `${appDir} is up to date`);
}
