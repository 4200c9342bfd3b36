// Fail fast on a misconfigured installation: before this process consumes or
// sends its first message (start(), else the first queue()), one cheap call
// per configured table, queue and bucket, in parallel. A failure names the
// resource, the variable or option that named it, and the command that
// creates it, instead of a 500 on the first request that needs it. A queue
// URL of another region than the world's is warned about (region-mismatch.ts).
// Skipped inside a Lambda function: bootstrap created its resources with it.
import { resourceNames } from '../config/resource-names.js';
import { BUCKET_ENV, TABLE_ENV, envName } from '../config/settings.js';
import { ConfigError, type WorldConfig } from '../config/world-config.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ProbeResult, ResourceProbe } from '../ports/resource-probe.js';
import type { TableRole } from '../config/resource-names.js';
import { regionMismatch } from './region-mismatch.js';
import { runOnceGate, type RunOnceGate } from './run-once-gate.js';

type Env = Record<string, string | undefined>;
type CheckedConfig = Pick<WorldConfig, 'name' | 'region' | 'resources' | 'endpoints' | 'workflowQueueUrl' | 'stepQueueUrl' | 'adapters'>;

/** `assert()` resolves once every resource answered; rejects with a ConfigError naming each problem. Checked until it passes once. */
export type ResourceCheck = RunOnceGate;

export function resourceCheck(deps: { config: CheckedConfig; probe: () => ResourceProbe; logger: Logger; clock: Clock; env?: Env }): ResourceCheck {
  const env = deps.env ?? process.env;
  const skip = deps.config.adapters === 'memory' || Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
  let reported: string | undefined;
  let regionWarned = false;

  const run = async (): Promise<void> => {
    const started = deps.clock.now();
    const results = await deps.probe().probe();
    const mismatch = regionWarned ? undefined : regionMismatch(deps.config, results, env, isLocal(deps.config.endpoints));
    if (mismatch) {
      regionWarned = true;
      deps.logger.warn(mismatch, { region: deps.config.region });
    }
    const problems = results.filter((r) => r.status !== 'ok');
    if (problems.length === 0) {
      deps.logger.info('Installation check passed', { resources: results.length, ms: deps.clock.now() - started });
      return;
    }
    const message = describeProblems(deps.config, problems, env);
    // Logged once per distinct problem, however often queue() meets it.
    if (message !== reported) deps.logger.error(message, { resources: results.length, failed: problems.length });
    reported = message;
    throw new ConfigError(message);
  };

  // A failed check runs again next time: the resources may have been created since.
  return runOnceGate(run, { passed: skip });
}

/** One message: each failing resource on a line with where its name came from, then the fix. */
export function describeProblems(config: CheckedConfig, problems: ProbeResult[], env: Env = process.env): string {
  const local = isLocal(config.endpoints);
  const lines = [`The world cannot use installation "${config.name}" in ${config.region}${local ? ' (local endpoints)' : ''}:`];
  const access = new Map<string, ProbeResult[]>();
  for (const p of problems) {
    if (p.status === 'access' && p.access) {
      const key = `${p.access.cause}: ${p.access.fix}`;
      access.set(key, [...(access.get(key) ?? []), p]);
      continue;
    }
    lines.push(`- ${describeOne(config, p, env)}`);
  }
  for (const [text, affected] of access) lines.push(`- ${text} (${affected.map((p) => `${p.kind} ${p.name}`).join(', ')})`);
  if (problems.some((p) => p.status === 'missing' || p.status === 'mismatch')) lines.push(`To create them: ${createCommand(config, local)}.`);
  return lines.join('\n');
}

function describeOne(config: CheckedConfig, p: ProbeResult, env: Env): string {
  const what = `${p.kind} "${p.name}" (${p.role})`;
  const origin = originOf(config, p, env);
  if (p.status === 'missing') return `${what} does not exist; ${origin}`;
  if (p.status === 'mismatch') return `${what} exists but is not this world's (${p.detail}); ${origin}`;
  return `${what} could not be checked (${p.detail}); ${origin}`;
}

function originOf(config: CheckedConfig, p: ProbeResult, env: Env): string {
  const defaults = resourceNames(config.name);
  const byName = env[envName('name')] ? `named after the installation (${envName('name')}=${config.name})` : `named after the default installation "${config.name}" (${envName('name')} is not set)`;
  if (p.kind === 'table') {
    const role = p.role as TableRole;
    return p.name === defaults.tables[role] ? byName : `set by ${TABLE_ENV[role]} (createWorld: resources.tables.${role})`;
  }
  if (p.kind === 'queue') {
    const key = p.role === 'step' ? 'stepQueueUrl' : 'workflowQueueUrl';
    return config[key] ? `set by ${envName(key)} (createWorld: ${key})` : byName;
  }
  return p.name === defaults.bucket
    ? `the default bucket name; bootstrap on AWS names it <name>-<account>-<region>: set ${BUCKET_ENV} as .env.aws does`
    : `set by ${BUCKET_ENV} (createWorld: resources.bucket)`;
}

function createCommand(config: CheckedConfig, local: boolean): string {
  return local
    ? `\`aws-workflow dev --name ${config.name}\` (then run the app with the environment it prints), or \`aws-workflow bootstrap --local --name ${config.name}\` into a running dev; or point the variables above at its resources (the environment it prints)`
    : `\`aws-workflow bootstrap --name ${config.name} --region ${config.region}\`, or point the variables above at an installation's resources (its .env.aws)`;
}

function isLocal(endpoints: CheckedConfig['endpoints']): boolean {
  return [endpoints.dynamodb, endpoints.sqs, endpoints.s3].some((url) => {
    if (!url) return false;
    try {
      const host = new URL(url).hostname;
      return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
    } catch {
      return false;
    }
  });
}
