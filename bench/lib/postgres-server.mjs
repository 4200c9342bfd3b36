// A throw-away PostgreSQL server for the comparison benchmark: Debian's
// binaries (apt-get install postgresql), a temp data dir, 127.0.0.1 only,
// trust auth. As root, initdb and postgres run as the `postgres` user (they
// refuse root). The postmaster is our own child, so stopping it reaps it.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Newest /usr/lib/postgresql/<major>/bin, or PG_BIN. */
function findBinDir() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base) ? readdirSync(base).filter((d) => /^\d+$/.test(d)).sort((a, b) => b - a) : [];
  const dir = majors.map((m) => join(base, m, 'bin')).find((d) => existsSync(join(d, 'postgres')));
  if (!dir) throw new Error('PostgreSQL binaries not found: apt-get install -y postgresql (or set PG_BIN)');
  return dir;
}

function postgresUser() {
  if (process.getuid?.() !== 0) return {};
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
    const ok = await new Promise((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`postgres did not listen on ${port} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export async function startPostgres({ log = () => {} } = {}) {
  const bin = findBinDir();
  const user = postgresUser();
  const dir = await mkdtemp(join(tmpdir(), 'bench-pg-'));
  const dataDir = join(dir, 'data');
  if (user.uid !== undefined) await chmod(dir, 0o777); // the postgres user creates dataDir inside it
  const port = await freePort();
  let child;
  const stop = async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT'); // "fast" shutdown
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...user, cwd: dir });
    // fsync and synchronous_commit stay at their defaults: commits are durable, as DynamoDB's are.
    child = spawn(join(bin, 'postgres'), ['-D', dataDir, '-k', '/tmp', '-h', '127.0.0.1', '-p', String(port)], {
      ...user,
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (d) => log(d.toString('utf8')));
    // If this process dies without stop(), leave no server or data dir behind.
    const onExit = () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', onExit);
    child.once('exit', () => process.off('exit', onExit));
    await waitForPort(port, child, 30_000);
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, binDir: bin, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
