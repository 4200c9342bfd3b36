// The role is created once with its trust policy; its inline policy is only
// written when it differs from the generated one.
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { resourceNames } from '../../../src/config/resource-names.js';
import { installationArns } from '../../../src/infra/iam/arns.js';
import { lambdaPermissionPolicy, lambdaTrustPolicy } from '../../../src/infra/iam/policy.js';
import { deleteRole, ensureRole, ensureRolePolicy } from '../../../src/infra/iam/role.js';
import type { ResourceReport } from '../../../src/cli/output/progress.js';
import { commandsOf, mockAws } from './helpers/mock-clients.js';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/shop-worker-role';
const noSuchEntity = () => new NoSuchEntityException({ message: 'not found', $metadata: {} });
const document = lambdaPermissionPolicy(installationArns(resourceNames('shop'), { partition: 'aws', region: 'us-east-1', accountId: '123456789012' }));

let reports: ResourceReport[];
const progress = (r: ResourceReport) => reports.push(r);
beforeEach(() => (reports = []));

describe('ensureRole', () => {
  it('creates a missing role with the Lambda trust policy and waits for it', async () => {
    const aws = mockAws();
    aws.iam.on(GetRoleCommand).rejectsOnce(noSuchEntity()).resolves({ Role: { Arn: ROLE_ARN } as never });
    aws.iam.on(CreateRoleCommand).resolves({ Role: { Arn: ROLE_ARN } as never });

    await expect(ensureRole(aws.clients.iam, 'shop-worker-role', 'shop', progress, '123456789012')).resolves.toBe(ROLE_ARN);
    expect(commandsOf(aws.iam)).toEqual(['GetRole', 'CreateRole', 'GetRole']);
    const input = aws.iam.commandCalls(CreateRoleCommand)[0]!.args[0].input;
    expect(input.RoleName).toBe('shop-worker-role');
    expect(JSON.parse(input.AssumeRolePolicyDocument!).Statement[0].Principal).toEqual({ Service: 'lambda.amazonaws.com' });
    expect(JSON.parse(input.AssumeRolePolicyDocument!).Statement[0].Condition).toEqual({ StringEquals: { 'aws:SourceAccount': '123456789012' } });
    expect(input.Tags).toEqual([{ Key: 'workflow:installation', Value: 'shop' }]);
    expect(reports).toEqual([{ kind: 'role', name: 'shop-worker-role', status: 'created' }]);
  });

  it('reports an existing role present without creating it', async () => {
    const aws = mockAws();
    const trust = encodeURIComponent(JSON.stringify(lambdaTrustPolicy('123456789012')));
    aws.iam.on(GetRoleCommand).resolves({ Role: { Arn: ROLE_ARN, AssumeRolePolicyDocument: trust } as never });
    await ensureRole(aws.clients.iam, 'shop-worker-role', 'shop', progress, '123456789012');
    expect(commandsOf(aws.iam)).toEqual(['GetRole']);
    expect(reports[0]!.status).toBe('present');
  });

  it('adds aws:SourceAccount to the trust policy of a role made without it', async () => {
    const aws = mockAws();
    const old = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }));
    aws.iam.on(GetRoleCommand).resolves({ Role: { Arn: ROLE_ARN, AssumeRolePolicyDocument: old } as never });
    aws.iam.on(UpdateAssumeRolePolicyCommand).resolves({});
    await ensureRole(aws.clients.iam, 'shop-worker-role', 'shop', progress, '123456789012');
    expect(commandsOf(aws.iam)).toEqual(['GetRole', 'UpdateAssumeRolePolicy']);
    const input = aws.iam.commandCalls(UpdateAssumeRolePolicyCommand)[0]!.args[0].input;
    expect(JSON.parse(input.PolicyDocument!)).toEqual(lambdaTrustPolicy('123456789012'));
    expect(reports[0]!.status).toBe('updated');
  });
});

describe('ensureRolePolicy', () => {
  it('puts the policy when there is none', async () => {
    const aws = mockAws();
    aws.iam.on(GetRolePolicyCommand).rejects(noSuchEntity());
    await ensureRolePolicy(aws.clients.iam, 'shop-worker-role', document, progress);
    const put = aws.iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input;
    expect(put.PolicyName).toBe('workflow-world');
    expect(JSON.parse(put.PolicyDocument!)).toEqual(document);
    expect(reports[0]!.status).toBe('created');
  });

  it('leaves an identical policy alone', async () => {
    const aws = mockAws();
    aws.iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: encodeURIComponent(JSON.stringify(document)) } as never);
    await ensureRolePolicy(aws.clients.iam, 'shop-worker-role', document, progress);
    expect(aws.iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    expect(reports[0]!.status).toBe('present');
  });

  it('rewrites a policy that drifted', async () => {
    const aws = mockAws();
    const drifted = { ...document, Statement: [] };
    aws.iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: encodeURIComponent(JSON.stringify(drifted)) } as never);
    await ensureRolePolicy(aws.clients.iam, 'shop-worker-role', document, progress);
    expect(aws.iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
    expect(reports[0]!.status).toBe('updated');
  });
});

describe('deleteRole', () => {
  it('removes inline policies, detaches managed ones, then deletes the role', async () => {
    const aws = mockAws();
    aws.iam.on(GetRoleCommand).resolves({ Role: { Arn: ROLE_ARN } as never });
    aws.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['workflow-world'] });
    aws.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] });
    await deleteRole(aws.clients.iam, 'shop-worker-role', progress);
    expect(commandsOf(aws.iam)).toEqual(['GetRole', 'ListRolePolicies', 'DeleteRolePolicy', 'ListAttachedRolePolicies', 'DetachRolePolicy', 'DeleteRole']);
    expect(aws.iam.commandCalls(DeleteRolePolicyCommand)[0]!.args[0].input).toEqual({ RoleName: 'shop-worker-role', PolicyName: 'workflow-world' });
    expect(aws.iam.commandCalls(DetachRolePolicyCommand)).toHaveLength(1);
    expect(aws.iam.commandCalls(DeleteRoleCommand)[0]!.args[0].input).toEqual({ RoleName: 'shop-worker-role' });
    expect(reports.map((r) => `${r.kind}:${r.status}`)).toEqual(['role-policy:deleted', 'role:deleted']);
  });

  it('reports a missing role absent and deletes nothing', async () => {
    const aws = mockAws();
    aws.iam.on(GetRoleCommand).rejects(noSuchEntity());
    await deleteRole(aws.clients.iam, 'shop-worker-role', progress);
    expect(commandsOf(aws.iam)).toEqual(['GetRole']);
    expect(reports).toEqual([{ kind: 'role', name: 'shop-worker-role', status: 'absent' }]);
  });
});
