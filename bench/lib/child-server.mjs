// A server in a child process that prints `<ready> <rest>` on stdout when it
// listens: its output kept (last 30 lines) for error messages, and a stop()
// that sends SIGTERM and, after 10 s, SIGKILL. BENCH_SERVER_LOG=<file> appends
// every server's whole output there, each line prefixed with its name and time.
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { cpuProfileArgs } from './cpu-prof.mjs';

/** Resolves to { readyLine (text after the prefix), stop(), logTail() }. */
export async function spawnServer({ name, args, cwd, env, ready }) {
  const child = spawn(process.execPath, [...cpuProfileArgs(name), ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const tail = [];
  const readyLine = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready in 60 s\n${tail.join('\n')}`)), 60_000);
    const onData = (data) => {
      if (process.env.BENCH_SERVER_LOG) keepLog(process.env.BENCH_SERVER_LOG, name, data);
      for (const line of data.toString('utf8').split('\n')) {
        if (line.startsWith(ready)) {
          clearTimeout(timer);
          resolve(line.slice(ready.length).trim());
        } else if (line && tail.push(line.slice(0, 300)) > 30) tail.shift();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`${name} exited (${code})\n${tail.join('\n')}`))));
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { readyLine, stop, logTail: () => tail.join('\n') };
}

function keepLog(file, name, data) {
  const at = new Date().toISOString().slice(11, 23);
  const lines = data.toString('utf8').split('\n').filter(Boolean);
  appendFileSync(file, lines.map((line) => `${at} [${name}] ${line}\n`).join(''));
}
