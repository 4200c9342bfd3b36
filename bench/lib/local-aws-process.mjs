// The embedded local AWS for the benchmarks. By default it runs in a child
// process: in-process, dynalite's request handling would share one event
// loop with the client being measured; a separate process is closer to a
// remote service (on 2 cores: one for the client, one for the emulator).
// BENCH_LOCAL_AWS=in-process runs it in the calling process instead.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { cpuProfileArgs } from './cpu-prof.mjs';

const DIST = join(fileURLToPath(new URL('../../', import.meta.url)), 'dist');
const localAwsModule = () => import(join(DIST, 'infra', 'local-aws', 'index.js'));

export function localAwsMode() {
  return process.env.BENCH_LOCAL_AWS === 'in-process' ? 'in-process' : 'child-process';
}

/** Starts the local AWS; resolves to { env, stop(), mode }. */
export async function startBenchLocalAws() {
  if (localAwsMode() === 'in-process') {
    const { startLocalAws } = await localAwsModule();
    const aws = await startLocalAws({ name: 'bench' });
    return { env: aws.env, stop: () => aws.stop(), mode: 'in-process' };
  }
  const child = fork(fileURLToPath(import.meta.url), ['--child'], { execArgv: [...process.execArgv, ...cpuProfileArgs('local-aws')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const env = await new Promise((resolve, reject) => {
    child.once('message', (m) => (m.env ? resolve(m.env) : reject(new Error(m.error))));
    child.once('exit', (code) => reject(new Error(`local AWS process exited (${code}) before it was ready`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send('stop');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { env, stop, mode: 'child-process' };
}

// Child side: start, report env over IPC, stop on 'stop' or when the parent goes away.
if (process.argv[2] === '--child' && process.send) {
  const { startLocalAws } = await localAwsModule();
  let aws;
  const shutdown = async () => {
    await aws?.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', (m) => m === 'stop' && void shutdown());
  process.on('disconnect', () => void shutdown());
  try {
    aws = await startLocalAws({ name: 'bench' });
    process.send({ env: aws.env });
  } catch (error) {
    process.send({ error: String(error?.message ?? error) });
    process.exit(1);
  }
}
