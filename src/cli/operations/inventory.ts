// What exists of one installation, for `outputs` (and the not-bootstrapped check).
import { inspectResources } from '../../infra/provisioning/index.js';
import type { CliContext } from '../base-command.js';
import { findQueueUrl } from '../status/queues.js';
import { findRole } from '../../infra/iam/role.js';
import { listMappings } from '../../infra/lambda/event-sources.js';
import { findFunction } from '../../infra/lambda/function.js';

export interface ResourceEntry {
  kind: string;
  name: string;
  exists: boolean;
  arn?: string;
  url?: string;
}

export interface Inventory {
  resources: ResourceEntry[];
  queueUrls?: { workflow: string; step: string };
  hasFunction: boolean;
}

/** `lambda: false` skips IAM and Lambda (emulators without them). */
export async function takeInventory(ctx: CliContext, options: { lambda: boolean }): Promise<Inventory> {
  const { clients, names } = ctx;
  const [data, roleArn, fn, workflowUrl, stepUrl] = await Promise.all([
    inspectResources(clients, names),
    options.lambda ? findRole(clients.iam, names.lambdaRole) : undefined,
    options.lambda ? findFunction(clients.lambda, names.lambdaFunction) : undefined,
    findQueueUrl(clients.sqs, names.workflowQueue),
    findQueueUrl(clients.sqs, names.stepQueue),
  ]);
  const mappings = fn ? await listMappings(clients.lambda, names.lambdaFunction) : [];
  const resources: ResourceEntry[] = [
    ...data.map((d) => ({
      ...d,
      ...(d.name === names.workflowQueue && workflowUrl ? { url: workflowUrl } : {}),
      ...(d.name === names.stepQueue && stepUrl ? { url: stepUrl } : {}),
    })),
    ...(options.lambda
      ? [
          { kind: 'role', name: names.lambdaRole, exists: roleArn !== undefined, ...(roleArn ? { arn: roleArn } : {}) },
          { kind: 'function', name: names.lambdaFunction, exists: fn !== undefined, ...(fn?.FunctionArn ? { arn: fn.FunctionArn } : {}) },
        ]
      : []),
    ...mappings.map((m) => ({ kind: 'event-source-mapping', name: `${m.EventSourceArn?.split(':').pop()} → ${names.lambdaFunction}`, exists: true, arn: m.EventSourceMappingArn ?? m.UUID })),
  ];
  return {
    resources,
    ...(workflowUrl && stepUrl ? { queueUrls: { workflow: workflowUrl, step: stepUrl } } : {}),
    hasFunction: fn !== undefined,
  };
}
