// Runs server.mjs as a child process and stops it again. Every child is also
// killed when the test process exits, so a crashed suite leaks no process or port.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlClient } from './client.js';

const SERVER = join(dirname(fileURLToPath(import.meta.url)), 'server.mjs');
const READY = 'E2E_SERVER_READY ';
const LOG_LINES = 300;

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface HarnessServer {
  readonly baseUrl: string;
  /** The server's process id (the fault suite's ledger records it). */
  readonly pid: number;
  readonly client: ControlClient;
  /** The server's recent output, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
  /** SIGKILL: the process dies mid-work, acknowledging nothing. */
  kill(): Promise<void>;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (!(await waitForExit(child, 0))) {
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 8_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
  }
  live.delete(child);
}

/** Starts server.mjs (or `server`, the 5 line's) in `appDir` with `env` added and waits until it is listening. */
export async function startHarnessServer(opts: {
  appDir: string;
  /** Another harness server script speaking the same protocol (test/e2e-v5/harness/server.mjs). */
  server?: string;
  env: Record<string, string>;
  readyTimeoutMs?: number;
  /** Node options before the script, e.g. a `--require` preload. */
  nodeArgs?: string[];
}): Promise<HarnessServer> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.server ?? SERVER], {
    cwd: opts.appDir,
    env: { ...process.env, ...opts.env, E2E_EXIT_ON_STDIN_EOF: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  const lines: string[] = [];
  const verbose = process.env.E2E_VERBOSE === '1';
  const logs = () => lines.join('\n');

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`harness server not ready after ${opts.readyTimeoutMs ?? 60_000} ms\n${logs()}`)),
      opts.readyTimeoutMs ?? 60_000,
    );
    const onData = (source: string) => (data: Buffer) => {
      for (const line of data.toString('utf8').split('\n')) {
        if (!line) continue;
        if (line.startsWith(READY)) {
          clearTimeout(timer);
          resolve((JSON.parse(line.slice(READY.length)) as { port: number }).port);
        }
        lines.push(`[${source}] ${line}`);
        if (lines.length > LOG_LINES) lines.shift();
        if (verbose) process.stderr.write(`[e2e-server ${source}] ${line}\n`);
      }
    };
    child.stdout!.on('data', onData('out'));
    child.stderr!.on('data', onData('err'));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`harness server exited (code ${code}, signal ${signal}) before it was ready\n${logs()}`));
    });
  }).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const kill = async () => {
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
    live.delete(child);
  };
  return { baseUrl, pid: child.pid!, client: new ControlClient(baseUrl), logs, stop: () => stopChild(child), kill };
}
