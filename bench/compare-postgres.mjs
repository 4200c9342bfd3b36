// The storage benchmark on the reference world @workflow/world-postgres next
// to ours (memory adapters, embedded local AWS), in one invocation so all
// three see the same machine load. Not part of `npm run bench`: it needs
// Debian's PostgreSQL and a separately installed world-postgres.
//
//   apt-get install -y postgresql                 # server binaries only; nothing is started
//   npm run build
//   node bench/compare-postgres.mjs [--quick]
//   WORLD_POSTGRES_DIR=<dir of @workflow/world-postgres>  (default /tmp/probe/node_modules/@workflow/world-postgres)
//   PG_BIN=<dir with initdb and postgres>                  (default newest /usr/lib/postgresql/*/bin)
//
// It starts a throw-away server on 127.0.0.1 (temp data dir), creates the
// schema with world-postgres's own bootstrap (bin/setup.js: drizzle
// migrations and graphile-worker's schema), and stops and deletes the server
// at the end (bench/lib/world-postgres.mjs).
// Writes bench/results/compare-postgres.json.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crossProcessContention } from './lib/contention-worker.mjs';
import { startBenchLocalAws } from './lib/local-aws-process.mjs';
import { machine, probesTable, storageTable } from './lib/report.mjs';
import { quickOptions, runStorageSuite, runWithStartedSteps } from './lib/storage-suite.mjs';
import { PG_DIR, startPostgresWorld } from './lib/world-postgres.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUR_WORLD = join(ROOT, 'dist', 'index.js');
const PG_WORLD = join(PG_DIR, 'dist', 'index.js');
const quick = process.argv.includes('--quick');
const options = quick ? quickOptions() : {};
const log = (line) => process.stderr.write(`${line}\n`);

for (const [file, hint] of [[OUR_WORLD, 'run `npm run build`'], [PG_WORLD, 'set WORLD_POSTGRES_DIR to an installed @workflow/world-postgres']]) {
  if (!existsSync(file)) {
    console.error(`${file} is missing: ${hint}`);
    process.exit(1);
  }
}

/** Storage suite plus the 5-process burst on one world. */
async function measure(label, world, workerSpec) {
  log(`storage: ${label}`);
  const storage = await runStorageSuite(world, options, log);
  if (workerSpec) {
    log('  cross-process contention…');
    const [runId, stepIds] = await runWithStartedSteps(world, options.contentionN ?? 50);
    storage.crossProcess = await crossProcessContention({ world: workerSpec, runId, stepIds, processes: 5 }).catch((error) => ({ error: String(error?.message ?? error) }));
  }
  return { label, storage };
}

const results = { machine: machine(), quick, columns: [] };
const { createWorld } = await import(OUR_WORLD);

// 1. world-postgres
const pgLog = [];
const pg = await startPostgresWorld({ log: (text) => pgLog.push(text) });
if (pg.skipped) {
  console.error(pg.skipped);
  process.exit(1);
}
try {
  log(`postgres on 127.0.0.1:${pg.port} (${pg.binDir}), schema by world-postgres's bootstrap`);
  const { createWorld: createPgWorld } = await import(PG_WORLD);
  const world = createPgWorld({ connectionString: pg.url });
  try {
    results.columns.push(await measure('world-postgres', world, { module: PG_WORLD, options: { connectionString: pg.url } }));
  } finally {
    await world.close();
  }
  results.postgresVersion = pgLog.join('').match(/starting (PostgreSQL [^ ]+)/)?.[1];
} finally {
  await pg.stop();
}

// 2. ours, embedded local AWS
const aws = await startBenchLocalAws();
Object.assign(process.env, aws.env);
try {
  const world = createWorld({ consumer: 'none' });
  try {
    results.columns.push(await measure(`world-aws, local AWS`, world, { module: OUR_WORLD, options: { consumer: 'none' }, env: aws.env }));
  } finally {
    await world.close?.();
  }
} finally {
  await aws.stop();
}

// 3. ours, memory adapters (no I/O: the floor of the domain logic)
const memory = createWorld({ adapters: 'memory', consumer: 'none' });
results.columns.push(await measure('world-aws, memory', memory));
await memory.close?.();

results.machine.loadAvgAtEnd = machine().loadAvgAtStart;
console.log(`world-postgres vs world-aws, ${results.machine.date}, ${results.machine.cpus} × ${results.machine.cpuModel}, ${results.postgresVersion ?? 'PostgreSQL'} on 127.0.0.1${quick ? ' (--quick)' : ''}`);
console.log(`\n== storage\n${storageTable(results.columns)}`);
console.log(`\n== correctness probes\n${probesTable(results.columns)}`);
await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
await writeFile(join(ROOT, 'bench', 'results', quick ? 'compare-postgres-quick.json' : 'compare-postgres.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote bench/results/${quick ? 'compare-postgres-quick.json' : 'compare-postgres.json'}`);
