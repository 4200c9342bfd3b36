// What the example tests share: installing an example's own dependencies from
// its lockfile, `aws-workflow dev` as a child process, apps as child
// processes, and polling. Every process started here is stopped by the caller.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export function log(prefix, line) {
  console.log(`[${prefix}] ${line}`);
}

/**
 * `npm ci` in the example, unless node_modules already matches its lockfile.
 * The example links this package (`file:../..`), so the root must be built.
 */
export async function installExample(dir, prefix) {
  const lock = await readFile(join(dir, 'package-lock.json'));
  const digest = createHash('sha256').update(lock).digest('hex');
  const stamp = join(dir, 'node_modules', '.installed-lock-sha256');
  if ((await readFile(stamp, 'utf8').catch(() => '')) === digest) return false;
  const startedAt = Date.now();
  await run(npm, ['ci', '--no-audit', '--no-fund'], { cwd: dir, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
  await writeFile(stamp, digest);
  log(prefix, `npm ci in ${dir} took ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  return true;
}

export async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

export function parseDotenv(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const match = line.match(/^([A-Z0-9_]+)=(.*)$/);
    if (!match) continue;
    env[match[1]] = match[2].startsWith('"') ? JSON.parse(match[2]) : match[2];
  }
  return env;
}

/** A child process with its output kept (and echoed with a prefix when EXAMPLE_VERBOSE is set). */
export function startProcess(prefix, command, args, options) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => {
    output += String(chunk);
    if (process.env.EXAMPLE_VERBOSE) for (const line of String(chunk).trimEnd().split('\n')) log(prefix, line);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return {
    child,
    exited,
    output: () => output,
    /** Sends `signal` and waits; SIGKILL after `graceMs`. Resolves to { code, signal, ms }. */
    async stop(signal = 'SIGTERM', graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return { ...(await exited), ms: 0 };
      const startedAt = Date.now();
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, ms: Date.now() - startedAt };
    },
  };
}

/** `aws-workflow dev` (this package's CLI) with --write-env; resolves once the file is written. */
export async function startDev(name) {
  const dir = await mkdtemp(join(tmpdir(), `example-dev-${name}-`));
  const envFile = join(dir, '.env.dev');
  const dev = startProcess('dev', process.execPath, [join(ROOT, 'bin', 'run.js'), 'dev', '--name', name, '--write-env', envFile], { cwd: dir });
  try {
    await waitFor(`aws-workflow dev to write ${envFile}`, 60_000, async () => {
      if (dev.child.exitCode !== null) throw new Error(`aws-workflow dev exited ${dev.child.exitCode}:\n${dev.output()}`);
      return existsSync(envFile) && (await stat(envFile)).size > 0;
    });
  } catch (error) {
    await dev.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const env = parseDotenv(await readFile(envFile, 'utf8'));
  return {
    env,
    async stop() {
      const result = await dev.stop('SIGINT');
      await rm(dir, { recursive: true, force: true });
      if (result.code !== 0) throw new Error(`aws-workflow dev exited ${result.code ?? result.signal}:\n${dev.output()}`);
    },
  };
}

export async function waitFor(what, timeoutMs, check, intervalMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function waitForHttp(url, timeoutMs, app) {
  await waitFor(`${url} to answer`, timeoutMs, async () => {
    if (app && app.child.exitCode !== null) throw new Error(`the app exited ${app.child.exitCode}:\n${app.output()}`);
    return fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.status < 500,
      () => false,
    );
  });
}

export async function fetchJson(url, init) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Polls GET /api/runs/<id> until the run is terminal. */
export async function waitForRun(baseUrl, runId, timeoutMs) {
  let last;
  try {
    return await waitFor(`run ${runId} to finish`, timeoutMs, async () => {
      last = await fetchJson(`${baseUrl}/api/runs/${runId}`);
      return ['completed', 'failed', 'cancelled'].includes(last.status) ? last : undefined;
    }, 250);
  } catch (error) {
    throw new Error(`${error.message}; last seen: ${JSON.stringify(last)}`);
  }
}

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
