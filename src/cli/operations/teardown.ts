// teardown: removes what bootstrap created for one installation, in reverse
// order (mappings, function, role, then tables/queues/bucket, the bucket
// emptied first). Anything already gone is reported `absent`, so a partial
// install, or a second teardown, is safe.
import { deleteResources } from '../../infra/provisioning/index.js';
import type { CliContext } from '../base-command.js';
import { deleteRole } from '../../infra/iam/role.js';
import { deleteMappings } from '../../infra/lambda/event-sources.js';
import { deleteFunction } from '../../infra/lambda/function.js';
import { encryptionKeyParameterName } from '../../config/resource-names.js';
import { deleteEncryptionKeyParameter } from '../../infra/ssm/encryption-key-parameter.js';
import { recording, type ResourceReport } from '../output/progress.js';

export interface TeardownResult {
  name: string;
  region: string;
  resources: ResourceReport[];
  removed: number;
}

export async function teardown(ctx: CliContext, options: { lambda: boolean }): Promise<TeardownResult> {
  const { clients, names } = ctx;
  const { progress, reports } = recording(ctx.progress);
  if (options.lambda) {
    await deleteMappings(clients.lambda, names.lambdaFunction, progress, ctx.sleep);
    await deleteFunction(clients.lambda, names.lambdaFunction, progress);
    await deleteRole(clients.iam, names.lambdaRole, progress);
    await deleteEncryptionKeyParameter(clients.ssm, encryptionKeyParameterName(names), progress);
  }
  await deleteResources(clients, names, { onProgress: progress });
  return { name: ctx.name, region: ctx.region, resources: reports, removed: reports.filter((r) => r.status === 'deleted').length };
}
