// Lambda cold start: the deploy zip's size, and for fresh processes the time
// to load the handler module and to serve its first invocation (a workflow
// message: it imports flow.mjs), plus the whole run of a two-step workflow
// through the handler on the embedded local AWS. Each run's function process
// does nothing but the handler's work (scripts/lib/lambda-zip-runner.mjs), is
// started by the first message and invoked as soon as its import is done, and
// reads its master key from an SSM parameter as a deployed function does
// (a local GetParameter stand-in; BENCH_SSM=0 gives it the key instead).
// The load average is printed beside the numbers: on a shared machine only
// runs under a similar load compare.
//
//   npm run build && node bench/lambda-cold-start.mjs   (BENCH_COLD_STARTS=5 by default)
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { startSsmParameterStub } from './lib/ssm-parameter-stub.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_COLD_STARTS ?? 5);
const FIXTURE = join(ROOT, 'test', 'integration', 'cli', 'fixtures', 'app');
/** WaitTimeSeconds of scripts/lib/sqs-lambda-bridge.mjs's receives. */
const BRIDGE_LONG_POLL_MS = 1_000;

const { deploy } = await import(join(ROOT, 'dist', 'cli', 'operations', 'deploy.js'));
const { startLocalAws } = await import(join(ROOT, 'dist', 'infra', 'local-aws', 'index.js'));

const project = await mkdtemp(join(tmpdir(), 'bench-cold-start-'));
let local;
let ssm;
try {
  await cp(FIXTURE, project, { recursive: true });
  await symlink(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
  // BENCH_AWS_SDK=external leaves the SDK out of the zip (the Lambda runtime's copy; here node_modules').
  const awsSdk = process.env.BENCH_AWS_SDK === 'external' ? 'external' : 'bundled';
  const result = await deploy({ projectDir: project, outDir: join(project, '.aws-workflow'), build: true, dryRun: true, awsSdk });
  // Every file of the zip (the entry and the route files it imports on first use), as Lambda unpacks it.
  const files = unzipSync(new Uint8Array(await readFile(result.zip.path)));
  const bundle = join(project, 'unzipped', 'index.mjs');
  await cp(result.zip.path, join(project, 'lambda.zip'));
  for (const [name, bytes] of Object.entries(files)) await writeFileDeep(join(project, 'unzipped', name), bytes);
  const unzipped = Object.values(files).reduce((n, f) => n + f.byteLength, 0);

  local = await startLocalAws({ name: 'bench-cold' });
  const env = { ...process.env, ...local.env, WORKFLOW_TARGET_WORLD: join(ROOT, 'dist', 'index.js') };
  const useSsm = process.env.BENCH_SSM !== '0';
  // The starting process and the function share one key; the function reads it from SSM.
  const key = Buffer.alloc(32, 7).toString('base64');
  env.WORKFLOW_AWS_ENCRYPTION_KEY = key;
  if (useSsm) {
    const parameter = '/bench-cold/encryption-key';
    ssm = await startSsmParameterStub({ [parameter]: key });
    env.LAMBDA_FUNCTION_ENV = JSON.stringify({ WORKFLOW_AWS_ENCRYPTION_KEY: null, WORKFLOW_AWS_ENCRYPTION_KEY_PARAMETER: parameter, AWS_ENDPOINT_URL_SSM: ssm.endpoint });
  }
  const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    // The previous process's bridge aborted its 1 s long polls when it stopped, but the emulator
    // still hands a message that arrives within that second to such a dead poll, and the message
    // then stays in flight for the queue's 960 s visibility timeout: the next run would never start.
    // A fast cold start sends its first message within that second, so wait it out.
    if (i > 0) await new Promise((done) => setTimeout(done, BRIDGE_LONG_POLL_MS + 500));
    samples.push(await runOnce(bundle, env, i));
  }

  const stat = (key) => summarize(samples.map((s) => s[key]));
  const mib = (n) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
  // The entry's chunks (entry-chunks/, loaded on demand) as one item.
  const chunks = Object.keys(files).filter((name) => name.startsWith('entry-chunks/'));
  const perFile = [
    ...Object.keys(files).filter((name) => !chunks.includes(name)).sort().map((name) => `${name} ${mib(files[name].byteLength)}`),
    ...(chunks.length ? [`entry-chunks/ ${chunks.length} files ${mib(chunks.reduce((n, name) => n + files[name].byteLength, 0))}`] : []),
  ].join(', ');
  console.log(`Lambda bundle: zip ${mib(result.zip.bytes)}, unzipped ${mib(unzipped)} in ${Object.keys(files).length} files (${perFile})`);
  console.log(
    `cold starts: ${RUNS} fresh processes, embedded local AWS, AWS SDK ${awsSdk}, master key ${useSsm ? `from an SSM parameter (local stand-in, ${ssm.reads} reads)` : 'in the environment'}, ` +
      `load average ${loadBefore} before, ${loadavg().map((l) => l.toFixed(2)).join(' ')} after`,
  );
  console.log(table([
    ['measure', 'median ms', 'min ms', 'max ms'],
    ['module load (import index.mjs)', ...stat('loadMs')],
    ['first invocation (one SQS batch)', ...stat('firstInvokeMs')],
    ['load + first invocation', ...summarize(samples.map((s) => s.loadMs + s.firstInvokeMs))],
    ['whole 2-step workflow (start → returnValue)', ...stat('totalMs')],
    ['CPU: module load', ...stat('loadCpuMs')],
    ['CPU: first invocation', ...stat('firstInvokeCpuMs')],
    ['CPU: load + first invocation', ...summarize(samples.map((s) => s.loadCpuMs + s.firstInvokeCpuMs))],
  ]));
} finally {
  await ssm?.stop();
  await local?.stop();
  await rm(project, { recursive: true, force: true });
}

function runOnce(bundle, env, i) {
  const runner = join(ROOT, 'scripts', 'lib', 'lambda-zip-runner.mjs');
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [runner, bundle, 'workflow//./workflows/greet//greet', JSON.stringify([`bench ${i}`])], { env, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr}`));
      const report = JSON.parse(stdout.trim().split('\n').at(-1));
      if (report.status !== 'completed') return reject(new Error(`run ${i} ended ${report.status}`));
      resolve(report);
    }),
  );
}

async function writeFileDeep(path, bytes) {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}

function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return [median, sorted[0], sorted.at(-1)].map((v) => v.toFixed(0));
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((cell, c) => String(cell).padEnd(widths[c])).join('  ')).join('\n');
}
