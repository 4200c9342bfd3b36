// Idempotent creation, teardown and inspection of one installation's AWS
// resources, from the definitions in resources.ts. The same calls run against
// real AWS (CLI bootstrap/teardown) and the embedded local AWS.
import type { ResourceNames } from '../../config/resource-names.js';
import { deleteBucket, inspectBucket, provisionBucket } from './bucket.js';
import { deleteQueues, inspectQueues, provisionQueues } from './queues.js';
import { allSettled } from './settle.js';
import { deleteTables, inspectTables, provisionTables } from './tables.js';
import type { ProvisionedQueues, ProvisioningClients, ProvisionOptions, ResourceReport, ResourceState } from './types.js';

export * from './types.js';
export { deleteBucket, inspectBucket, provisionBucket } from './bucket.js';
export { deleteQueues, inspectQueues, provisionQueues } from './queues.js';
export { deleteTables, inspectTables, provisionTables } from './tables.js';

export interface ProvisionResult {
  reports: ResourceReport[];
  queues: ProvisionedQueues;
}

/** Tables, queues and bucket, services in parallel. A second run reports every resource `present`. */
export async function provisionResources(clients: ProvisioningClients, names: ResourceNames, options: ProvisionOptions = {}): Promise<ProvisionResult> {
  const tables = provisionTables(clients.dynamodb, names, options);
  const queues = provisionQueues(clients.sqs, names, options);
  const bucket = provisionBucket(clients.s3, names, options);
  await allSettled<unknown>([tables, queues, bucket]);
  const { reports: queueReports, queues: addresses } = await queues;
  return { reports: [...(await tables), ...queueReports, await bucket], queues: addresses };
}

/** Removes whatever exists; resources already gone are reported `absent`. */
export async function deleteResources(
  clients: ProvisioningClients,
  names: ResourceNames,
  options: Pick<ProvisionOptions, 'onProgress' | 'tableWaitMs'> = {},
): Promise<ResourceReport[]> {
  const tables = deleteTables(clients.dynamodb, names, options);
  const queues = deleteQueues(clients.sqs, names, options);
  const bucket = deleteBucket(clients.s3, names, options);
  await allSettled<unknown>([tables, queues, bucket]);
  return [...(await tables), ...(await queues), await bucket];
}

/** Which of the installation's resources exist. */
export async function inspectResources(clients: ProvisioningClients, names: ResourceNames): Promise<ResourceState[]> {
  const [tables, queues, bucket] = await Promise.all([
    inspectTables(clients.dynamodb, names),
    inspectQueues(clients.sqs, names),
    inspectBucket(clients.s3, names),
  ]);
  return [...tables, ...queues, bucket];
}
