// status: what exists of one installation, how it differs from what bootstrap
// would create, what the function and mappings are doing, how deep the queues
// and DLQs are, and how its runs are doing. Reads only: describe calls, queue
// attributes, and index queries through the world's Storage API.
import type { WorkflowLine } from '../../domain/workflow-line.js';
import { inspectBucket } from '../../infra/provisioning/index.js';
import type { CliContext } from '../base-command.js';
import { NotBootstrapped } from '../errors.js';
import { functionStatus, mappingStatuses, type FunctionStatus, type MappingStatus } from '../status/function.js';
import { installationLine, installationWorld } from '../status/installation-world.js';
import { QUEUE_ROLES, queueStatus, type QueueStatus } from '../status/queues.js';
import { runsStatus, type RunsStatus } from '../status/runs.js';
import { tableStatuses, type TableStatus } from '../status/tables.js';

export interface StatusOptions {
  lambda: boolean;
  /** Stop counting a status's runs here (each 1,000 runs is one more index query). */
  countLimit: number;
  runs: boolean;
  /** How far back failed runs count as a problem. */
  windowSeconds?: number;
  /** The redrive policy the queues should have. */
  maxReceiveCount?: number;
}

export interface StatusResult {
  name: string;
  region: string;
  tables: TableStatus[];
  queues: QueueStatus[];
  bucket: { name: string; exists: boolean };
  /** The Workflow line the installation serves (recorded by its first app); `none` before any app used it. Absent when the steps table is missing. */
  line?: WorkflowLine | 'none';
  function?: FunctionStatus;
  mappings?: MappingStatus[];
  runs?: RunsStatus;
  /** Every drift line, prefixed with its resource: empty when the installation is as bootstrap makes it. */
  drift: string[];
  /** Why a part was left out (Lambda not served, tables missing). */
  skipped: string[];
  /** What needs a person: dead letters, failed runs in the window. `status` exits non-zero when any (unless --no-exit-status). */
  problems: string[];
}

export async function status(ctx: CliContext, options: StatusOptions): Promise<StatusResult> {
  const { clients, names } = ctx;
  const [tables, queues, bucket] = await Promise.all([
    tableStatuses(clients.dynamodb, names),
    Promise.all(QUEUE_ROLES.map((role) => queueStatus(clients.sqs, names, role, options.maxReceiveCount))),
    inspectBucket(clients.s3, names),
  ]);
  if (tables.every((t) => !t.exists) && queues.every((q) => !q.exists) && !bucket.exists) {
    throw new NotBootstrapped(ctx.name, ctx.region, 'tables, queues and bucket');
  }
  const skipped: string[] = [];
  let fn: FunctionStatus | undefined;
  let mappings: MappingStatus[] | undefined;
  if (options.lambda) {
    fn = await functionStatus(clients.lambda, names.lambdaFunction);
    if (fn.versionUnavailable) skipped.push(`function version: ${fn.versionUnavailable}`);
    const workArns = queues.filter((q) => q.role === 'workflow' || q.role === 'step').flatMap((q) => (q.arn ? [q.arn] : []));
    mappings = fn.exists ? await mappingStatuses(clients.lambda, names.lambdaFunction, workArns) : [];
  } else {
    skipped.push('function and mappings: Lambda not looked up (--no-lambda, or a local AWS without Lambda)');
  }
  const line = tables.find((t) => t.role === 'steps')?.exists ? ((await installationLine(ctx)) ?? 'none') : undefined;
  let runs: RunsStatus | undefined;
  if (!options.runs) skipped.push('runs: --no-runs');
  else if (!tables.find((t) => t.role === 'runs')?.exists) skipped.push('runs: the runs table is missing');
  else {
    const url = (role: string) => queues.find((q) => q.role === role)?.url;
    const world = installationWorld(ctx, { workflow: url('workflow'), step: url('step') });
    try {
      runs = await runsStatus(world, { countLimit: options.countLimit, windowSeconds: options.windowSeconds });
    } finally {
      await world.close().catch(() => undefined);
    }
  }
  const drift = [
    ...tables.flatMap((t) => t.drift.map((d) => `table ${t.name}: ${d}`)),
    ...queues.flatMap((q) => q.drift.map((d) => `${q.role.endsWith('Dlq') ? 'dlq' : 'queue'} ${q.name}: ${d}`)),
    ...(bucket.exists ? [] : [`bucket ${bucket.name}: missing`]),
    ...(fn ? fn.drift.map((d) => `function ${fn.name}: ${d}`) : []),
    ...(mappings ?? []).flatMap((m) => m.drift.map((d) => `mapping ${m.queueArn?.split(':').pop() ?? m.uuid}: ${d}`)),
  ];
  return {
    problems: statusProblems(queues, runs),
    name: ctx.name,
    region: ctx.region,
    tables,
    queues,
    bucket: { name: bucket.name, exists: bucket.exists },
    ...(line ? { line } : {}),
    ...(fn ? { function: fn } : {}),
    ...(mappings ? { mappings } : {}),
    ...(runs ? { runs } : {}),
    drift,
    skipped,
  };
}

/** Dead letters in either DLQ, and failed runs in the window. */
export function statusProblems(queues: QueueStatus[], runs: RunsStatus | undefined): string[] {
  const problems: string[] = [];
  for (const q of queues) {
    if (!q.role.endsWith('Dlq') || !q.exists) continue;
    const letters = (q.visible ?? 0) + (q.inFlight ?? 0) + (q.delayed ?? 0);
    if (letters > 0) problems.push(`${letters} dead letter(s) in ${q.name} (\`aws-workflow dlq list\`)`);
  }
  const failed = runs?.failedInWindow;
  if (failed && failed.count > 0) {
    problems.push(`${failed.count}${failed.capped ? '+' : ''} failed run(s) in the last ${windowText(failed.windowSeconds)}`);
  }
  return problems;
}

function windowText(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${Math.round(seconds / 60)} min`;
}
