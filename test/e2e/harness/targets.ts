// The worlds the e2e suites run against. Adding one is one entry in TARGETS.
// E2E_TARGETS=a,b picks targets by name; unset, the suites run the targets
// marked `byDefault` (our world). `local` (the built-in world-local) checks
// the harness itself: E2E_TARGETS=local.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/**
 * `@workflow/world-aws` as built by `npm run build`, loaded by path
 * (WORKFLOW_TARGET_WORLD); E2E_WORLD_MODULE points at another build.
 */
const WORLD_MODULE = resolve(process.env.E2E_WORLD_MODULE ?? join(ROOT, 'dist', 'index.js'));

/** What a started target gives the harness server: its env, and how to release what it started. */
export interface TargetRuntime {
  env: Record<string, string>;
  stop(): Promise<void>;
  /** The embedded local AWS the target runs on, if any (its endpoints, names and DLQ URLs). */
  localAws?: LocalAws;
}

export interface WorldTarget {
  name: string;
  byDefault: boolean;
  start(): Promise<TargetRuntime>;
}

/** The world module a target set loads (WORKFLOW_TARGET_WORLD), and the check that it is there. */
export interface WorldModule {
  module: string;
  requireBuilt(): void;
}

const BUILT_WORLD: WorldModule = {
  module: WORLD_MODULE,
  requireBuilt() {
    if (!existsSync(WORLD_MODULE)) throw new Error(`${WORLD_MODULE} is missing: run \`npm run build\` first`);
  },
};

/**
 * The targets on one world module: the 4.x facade here, the 5 facade for
 * test/e2e-v5 (whose `local` is then world-local 5, the same env).
 */
export function worldTargets(world: WorldModule): WorldTarget[] {
  /** Our world, with HTTP deliveries signed by a fresh secret (the production set-up). */
  const worldAws = (env: Record<string, string>): Record<string, string> => ({
    WORKFLOW_TARGET_WORLD: world.module,
    WORKFLOW_AWS_SIGNING_SECRET: randomBytes(32).toString('hex'),
    ...env,
  });

  /** Our world on a fresh embedded local AWS, with `env` on top. */
  const onLocalAws = (name: string, env: Record<string, string>): WorldTarget => ({
    name,
    byDefault: true,
    async start() {
      world.requireBuilt();
      const local = await startLocalAws();
      return { env: worldAws({ WORKFLOW_AWS_ADAPTERS: 'aws', ...env, ...local.env }), stop: () => local.stop(), localAws: local };
    },
  });

  return [
    {
      name: 'local',
      byDefault: false,
      async start() {
        const dataDir = await mkdtemp(join(tmpdir(), 'e2e-world-local-'));
        return {
          env: { WORKFLOW_TARGET_WORLD: 'local', WORKFLOW_LOCAL_DATA_DIR: dataDir },
          stop: () => rm(dataDir, { recursive: true, force: true }),
        };
      },
    },
    {
      name: 'memory',
      byDefault: true,
      async start() {
        world.requireBuilt();
        return { env: worldAws({ WORKFLOW_AWS_ADAPTERS: 'memory', WORKFLOW_AWS_DELIVERY: 'http' }), stop: async () => {} };
      },
    },
    {
      name: 'memory-in-process',
      byDefault: false,
      async start() {
        world.requireBuilt();
        return { env: worldAws({ WORKFLOW_AWS_ADAPTERS: 'memory', WORKFLOW_AWS_DELIVERY: 'in-process' }), stop: async () => {} };
      },
    },
    // Encrypted, so every scenario also proves the per-run keys round-trip (contract §6).
    onLocalAws('aws', {
      WORKFLOW_AWS_DELIVERY: 'http',
      WORKFLOW_AWS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    }),
    // Consumer mode lambda: messages reach the runtime only through
    // createLambdaHandler, fed SQS events by scripts/lib/sqs-lambda-bridge.mjs.
    // A 2 s hop cap, so sleeps longer than that are chained over several SQS
    // messages here, as sleeps over 15 minutes are on AWS.
    onLocalAws('aws-lambda', {
      WORKFLOW_AWS_CONSUMER: 'lambda',
      WORKFLOW_AWS_MAX_DELAY_SECONDS: '2',
      E2E_LAMBDA_BRIDGE: '1',
    }),
  ];
}

const TARGETS = worldTargets(BUILT_WORLD);

const DUPLICATING_WORLD = join(ROOT, 'test', 'e2e', 'harness', 'duplicating-world.cjs');

/** A target's env with every queue message sent `copies` times (our world only: duplicating-world.cjs). */
export function withDuplicateDeliveries(env: Record<string, string>, copies: number): Record<string, string> {
  return { ...env, WORKFLOW_TARGET_WORLD: DUPLICATING_WORLD, E2E_WORLD_ENTRY: env.WORKFLOW_TARGET_WORLD!, E2E_DUPLICATE_DELIVERIES: String(copies) };
}

/** One target by name, whatever E2E_TARGETS selects (suites that need a particular consumer mode). */
export function targetNamed(name: string): WorldTarget {
  const target = TARGETS.find((t) => t.name === name);
  if (!target) throw new Error(`E2E_TARGETS: unknown target "${name}" (known: ${TARGETS.map((t) => t.name).join(', ')})`);
  return target;
}

/** The targets this run covers, from E2E_TARGETS or the defaults (of `targets`, 4.x's unless given). */
export function selectedTargets(env: Record<string, string | undefined> = process.env, targets: WorldTarget[] = TARGETS): WorldTarget[] {
  const requested = env.E2E_TARGETS?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!requested?.length) return targets.filter((t) => t.byDefault);
  return requested.map((name) => {
    const target = targets.find((t) => t.name === name);
    if (!target) throw new Error(`E2E_TARGETS: unknown target "${name}" (known: ${targets.map((t) => t.name).join(', ')})`);
    return target;
  });
}
