// How other commands find a running `aws-workflow dev` (`--local`): each dev
// writes its endpoints, region, pid and project directory to its own small
// file under the OS temp directory (keyed by installation name and pid, so two
// devs, of one project or of two, never overwrite each other) and removes it
// when it stops. A file whose pid is no longer alive (dev was killed) is
// ignored and cleaned up.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { CliFailure } from '../errors.js';

export interface DevState {
  pid: number;
  name: string;
  region: string;
  endpoints: { dynamodb: string; sqs: string; s3: string };
  queueUrls: { workflow: string; step: string };
  /** The emulators' fixed dummy keys (not secrets: they only check that requests are signed). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  startedAt: string;
  /** The directory dev was started in: with several devs of one name, `--local` picks the one of the current project. */
  project?: string;
}

/** Per user, so two users of one machine do not see each other's dev. */
export function devStateDir(): string {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : (process.env.USERNAME ?? 'user');
  return join(process.env.AWS_WORKFLOW_STATE_DIR ?? tmpdir(), `aws-workflow-${user}`);
}

export function devStatePath(name: string, pid = process.pid, dir = devStateDir()): string {
  return join(dir, `dev-${name}-${pid}.json`);
}

export async function writeDevState(state: DevState, dir = devStateDir()): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = devStatePath(state.name, state.pid, dir);
  // Written whole, then renamed: a reader never sees half a file.
  const partial = `${path}.tmp`;
  await writeFile(partial, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(partial, path);
  return path;
}

/** Removes this process's state for `name` (no other dev's). */
export async function removeDevState(name: string, pid = process.pid, dir = devStateDir()): Promise<void> {
  await rm(devStatePath(name, pid, dir), { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every live dev; stale files (dead pid) are removed. */
export async function runningDevs(dir = devStateDir()): Promise<DevState[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => /^dev-.+\.json$/.test(f)).sort();
  const live: DevState[] = [];
  for (const file of files) {
    const state = await readState(join(dir, file));
    if (!state) continue;
    if (isAlive(state.pid)) live.push(state);
    else await rm(join(dir, file), { force: true });
  }
  return live;
}

/**
 * The running dev for `name`. With several, the one started in the current
 * project (`cwd` or a directory above it); if that does not decide, a
 * failure listing them.
 */
export async function findDev(name: string, dir = devStateDir(), cwd = process.cwd()): Promise<DevState | undefined> {
  const named = (await runningDevs(dir)).filter((s) => s.name === name);
  if (named.length <= 1) return named[0];
  const here = named.filter((s) => s.project !== undefined && (cwd === s.project || cwd.startsWith(s.project + sep)));
  if (here.length === 1) return here[0];
  const list = named.map((s) => `pid ${s.pid} in ${s.project ?? 'an unknown directory'}`).join(', ');
  throw new CliFailure(
    `${named.length} \`aws-workflow dev\` serve installation "${name}" (${list}): run this command in the project directory of the one you mean, or give each dev its own --name.`,
  );
}

/** Names of every installation a live dev serves (for "did you mean --name …"). */
export async function runningDevNames(dir = devStateDir()): Promise<string[]> {
  return [...new Set((await runningDevs(dir)).map((s) => s.name))].sort();
}

async function readState(path: string): Promise<DevState | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as DevState;
    return typeof parsed.pid === 'number' && typeof parsed.name === 'string' && parsed.endpoints ? parsed : undefined;
  } catch {
    return undefined;
  }
}
