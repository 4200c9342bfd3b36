// world-postgres for the fan-out bench, configured as its README says and
// nothing else: Debian's PostgreSQL on 127.0.0.1, the schema made by the
// package's own `bootstrap` (bin/setup.js), and a server whose world settings
// are WORKFLOW_TARGET_WORLD, WORKFLOW_POSTGRES_URL and PORT (pool 10, worker
// concurrency 10: the defaults), started on listen. The bench's server is the
// e2e harness with the counting seam (replays per step) and no other
// environment; a plain server (plain-server.mjs) runs the same scenarios on a
// fresh database as the check that the harness does not change its figures.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { COUNTING_WORLD, startServer } from './e2e.mjs';
import { startPlainServer } from './plain-server.mjs';
import { freePort, startPostgres } from './postgres-server.mjs';

export const PG_DIR = process.env.WORLD_POSTGRES_DIR ?? '/tmp/probe/node_modules/@workflow/world-postgres';
/** The plain server's figures must agree within this factor, either way. */
export const PLAIN_AGREEMENT = 1.5;

/** PostgreSQL with world-postgres's schema; resolves to { url, stop() } or { skipped }. `log` gets the server's output. */
export async function startPostgresWorld({ log = () => {} } = {}) {
  if (!existsSync(join(PG_DIR, 'dist', 'index.js'))) return { skipped: `world-postgres not installed at ${PG_DIR} (set WORLD_POSTGRES_DIR)` };
  let pg;
  try {
    pg = await startPostgres({ log });
  } catch (error) {
    return { skipped: `PostgreSQL not available: ${String(error?.message ?? error).split('\n')[0]}` };
  }
  try {
    await promisify(execFile)(process.execPath, [join(PG_DIR, 'bin', 'setup.js')], { cwd: PG_DIR, env: { PATH: process.env.PATH, WORKFLOW_POSTGRES_URL: pg.url }, timeout: 120_000 });
  } catch (error) {
    await pg.stop();
    throw error;
  }
  return pg;
}

/** The bench's server for world-postgres: the harness behind the counting seam, the README's variables only. */
export function startHarnessOnPostgres(url) {
  const env = { WORKFLOW_TARGET_WORLD: COUNTING_WORLD, E2E_WORLD_ENTRY: join(PG_DIR, 'dist', 'index.js'), WORKFLOW_POSTGRES_URL: url };
  return startServer(env, { inheritEnv: false });
}

export async function startPlainOnPostgres(url, appDir) {
  return startPlainServer({ appDir, packageDir: PG_DIR, postgresUrl: url, port: await freePort() });
}

/** Bench p50 / plain p50 per scenario, and whether every ratio is within PLAIN_AGREEMENT. */
export function plainAgreement(bench, plain) {
  const ratios = {};
  for (const [name, p] of Object.entries(plain ?? {})) {
    const b = bench?.[name];
    if (b?.totalMs && p?.totalMs) ratios[name] = Math.round((b.totalMs.p50 / p.totalMs.p50) * 100) / 100;
  }
  const values = Object.values(ratios);
  const agrees = values.length > 0 && values.every((r) => r <= PLAIN_AGREEMENT && r >= 1 / PLAIN_AGREEMENT);
  return { ratios, agrees };
}
