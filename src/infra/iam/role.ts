// The Lambda execution role: created once, its inline policy kept equal to the
// one this version of the CLI generates.
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  waitUntilRoleExists,
  type IAMClient,
  type Role,
} from '@aws-sdk/client-iam';
import type { Progress } from '../progress.js';
import { isMissingIamEntity, unlessMissing } from '../../adapters/aws/aws-errors.js';
import { LAMBDA_POLICY_NAME, lambdaTrustPolicy, samePolicy, type PolicyDocument } from './policy.js';

export const INSTALLATION_TAG = 'workflow:installation';

/** Returns the role ARN, or undefined when the role does not exist. */
export async function findRole(iam: IAMClient, roleName: string): Promise<string | undefined> {
  return (await getRole(iam, roleName))?.Arn;
}

async function getRole(iam: IAMClient, roleName: string): Promise<Role | undefined> {
  return (await unlessMissing(() => iam.send(new GetRoleCommand({ RoleName: roleName })), isMissingIamEntity))?.Role;
}

/** Creates the role if missing (or brings its trust policy up to date) and returns its ARN. */
export async function ensureRole(iam: IAMClient, roleName: string, installation: string, progress: Progress, accountId: string): Promise<string> {
  const trust = lambdaTrustPolicy(accountId);
  const existing = await getRole(iam, roleName);
  if (existing?.Arn) {
    // A role made by an older version trusts Lambda without aws:SourceAccount.
    if (samePolicy(existing.AssumeRolePolicyDocument, trust)) {
      progress({ kind: 'role', name: roleName, status: 'present' });
    } else {
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(trust) }));
      progress({ kind: 'role', name: roleName, status: 'updated' });
    }
    return existing.Arn;
  }
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify(trust),
      Description: `Workflow world worker for installation ${installation}`,
      Tags: [{ Key: INSTALLATION_TAG, Value: installation }],
    }),
  );
  await waitUntilRoleExists({ client: iam, maxWaitTime: 120 }, { RoleName: roleName });
  progress({ kind: 'role', name: roleName, status: 'created' });
  if (!Role?.Arn) throw new Error(`CreateRole returned no ARN for ${roleName}`);
  return Role.Arn;
}

/** Puts the inline policy unless the stored one is already identical. */
export async function ensureRolePolicy(iam: IAMClient, roleName: string, document: PolicyDocument, progress: Progress): Promise<void> {
  const current = await getRolePolicy(iam, roleName);
  if (samePolicy(current, document)) {
    progress({ kind: 'role-policy', name: `${roleName}/${LAMBDA_POLICY_NAME}`, status: 'present' });
    return;
  }
  await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: LAMBDA_POLICY_NAME, PolicyDocument: JSON.stringify(document) }));
  progress({ kind: 'role-policy', name: `${roleName}/${LAMBDA_POLICY_NAME}`, status: current === undefined ? 'created' : 'updated' });
}

async function getRolePolicy(iam: IAMClient, roleName: string): Promise<string | undefined> {
  try {
    const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: LAMBDA_POLICY_NAME }));
    return PolicyDocument;
  } catch (error) {
    if (isMissingIamEntity(error)) return undefined;
    throw error;
  }
}

/** Deletes the role and its inline policies; a missing role is reported absent. */
export async function deleteRole(iam: IAMClient, roleName: string, progress: Progress): Promise<void> {
  if (!(await findRole(iam, roleName))) {
    progress({ kind: 'role', name: roleName, status: 'absent' });
    return;
  }
  const { PolicyNames = [] } = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
  for (const policyName of PolicyNames) {
    await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
    progress({ kind: 'role-policy', name: `${roleName}/${policyName}`, status: 'deleted' });
  }
  // Managed policies someone attached later would block DeleteRole; detaching leaves the policies themselves alone.
  const { AttachedPolicies = [] } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
  for (const { PolicyArn } of AttachedPolicies) {
    if (PolicyArn) await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn }));
  }
  await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
  progress({ kind: 'role', name: roleName, status: 'deleted' });
}
