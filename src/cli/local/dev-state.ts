// How other commands find a running `aws-workflow dev` (`--local`): dev writes
// its endpoints, region and pid to a small file under the OS temp directory,
// one per installation name, and removes it when it stops. A file whose pid is
// no longer alive (dev was killed) is ignored and cleaned up.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DevState {
  pid: number;
  name: string;
  region: string;
  endpoints: { dynamodb: string; sqs: string; s3: string };
  queueUrls: { workflow: string; step: string };
  /** The emulators' fixed dummy keys (not secrets: they only check that requests are signed). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  startedAt: string;
}

/** Per user, so two users of one machine do not see each other's dev. */
export function devStateDir(): string {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : (process.env.USERNAME ?? 'user');
  return join(process.env.AWS_WORKFLOW_STATE_DIR ?? tmpdir(), `aws-workflow-${user}`);
}

export function devStatePath(name: string, dir = devStateDir()): string {
  return join(dir, `dev-${name}.json`);
}

export async function writeDevState(state: DevState, dir = devStateDir()): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = devStatePath(state.name, dir);
  // Written whole, then renamed: a reader never sees half a file.
  const partial = `${path}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(partial, path);
  return path;
}

/** Removes the state only if it is still this process's (a newer dev may have replaced it). */
export async function removeDevState(name: string, pid = process.pid, dir = devStateDir()): Promise<void> {
  const state = await readState(devStatePath(name, dir));
  if (state?.pid === pid) await rm(devStatePath(name, dir), { force: true });
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

/** The running dev for `name`, if any; a stale file (dead pid) is removed. */
export async function findDev(name: string, dir = devStateDir()): Promise<DevState | undefined> {
  const path = devStatePath(name, dir);
  const state = await readState(path);
  if (!state) return undefined;
  if (isAlive(state.pid)) return state;
  await rm(path, { force: true });
  return undefined;
}

/** Names of every installation a live dev serves (for "did you mean --name …"). */
export async function runningDevNames(dir = devStateDir()): Promise<string[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  const names: string[] = [];
  for (const file of files) {
    const match = /^dev-(.+)\.json$/.exec(file);
    if (match?.[1] && (await findDev(match[1], dir))) names.push(match[1]);
  }
  return names.sort();
}

async function readState(path: string): Promise<DevState | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as DevState;
    return typeof parsed.pid === 'number' && parsed.endpoints ? parsed : undefined;
  } catch {
    return undefined;
  }
}
