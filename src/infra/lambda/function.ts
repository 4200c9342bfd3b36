// The worker function: created with a handler that refuses work until deploy, its configuration
// (role, environment) kept equal to what bootstrap computes.
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type FunctionConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { Progress } from '../progress.js';
import { hasErrorName, isMissingResource, unlessMissing } from '../../adapters/aws/aws-errors.js';
import { errorMessage } from '../../domain/errors.js';
import { retryWhile, type Sleep } from '../retry.js';
import { INSTALLATION_TAG } from '../iam/role.js';
import { undeployedHandlerZip } from './undeployed-handler.js';
import { LAMBDA_HANDLER, LAMBDA_MEMORY_MB, LAMBDA_RUNTIME, LAMBDA_TIMEOUT_SECONDS } from './settings.js';

export interface FunctionSpec {
  functionName: string;
  roleArn: string;
  installation: string;
  environment: Record<string, string>;
  /**
   * Variables kept from the existing function when `environment` lacks them:
   * secrets (the payload encryption key) are passed in only when the caller
   * has them, and a later run without them must not strip them.
   */
  preserve?: readonly string[];
}

export async function findFunction(lambda: LambdaClient, functionName: string): Promise<FunctionConfiguration | undefined> {
  return unlessMissing(() => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })), isMissingResource);
}

/** A role IAM has not yet propagated to Lambda is rejected with this; it succeeds seconds later. */
export function isRolePropagationError(error: unknown): boolean {
  return (
    hasErrorName(error, 'InvalidParameterValueException') &&
    /cannot be assumed|execution role does not have permissions/i.test(errorMessage(error))
  );
}

export const PROPAGATION_RETRY = { attempts: 12, delayMs: 2000, factor: 2, maxDelayMs: 10_000 };

export async function ensureFunction(lambda: LambdaClient, spec: FunctionSpec, progress: Progress, sleep: Sleep): Promise<string> {
  const existing = await findFunction(lambda, spec.functionName);
  if (!existing) {
    const created = await retryWhile(
      () =>
        lambda.send(
          new CreateFunctionCommand({
            FunctionName: spec.functionName,
            Role: spec.roleArn,
            Runtime: LAMBDA_RUNTIME,
            Handler: LAMBDA_HANDLER,
            Code: { ZipFile: undeployedHandlerZip() },
            Timeout: LAMBDA_TIMEOUT_SECONDS,
            MemorySize: LAMBDA_MEMORY_MB,
            Environment: { Variables: spec.environment },
            Description: `Workflow world worker for installation ${spec.installation}`,
            Tags: { [INSTALLATION_TAG]: spec.installation },
          }),
        ),
      isRolePropagationError,
      { ...PROPAGATION_RETRY, sleep },
    );
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 300 }, { FunctionName: spec.functionName });
    progress({ kind: 'function', name: spec.functionName, status: 'created' });
    return requireArn(created.FunctionArn, spec.functionName);
  }
  if (existing.State === 'Pending') {
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 300 }, { FunctionName: spec.functionName });
  }
  const environment = { ...spec.environment };
  for (const key of spec.preserve ?? []) {
    const kept = existing.Environment?.Variables?.[key];
    if (environment[key] === undefined && kept !== undefined) environment[key] = kept;
  }
  if (existing.Role === spec.roleArn && sameEnvironment(existing.Environment?.Variables, environment)) {
    progress({ kind: 'function', name: spec.functionName, status: 'present' });
    return requireArn(existing.FunctionArn, spec.functionName);
  }
  // An update in flight (e.g. a deploy) would reject ours with ResourceConflictException.
  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 300 }, { FunctionName: spec.functionName });
  await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: spec.functionName,
      Role: spec.roleArn,
      Environment: { Variables: environment },
    }),
  );
  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 300 }, { FunctionName: spec.functionName });
  progress({ kind: 'function', name: spec.functionName, status: 'updated' });
  return requireArn(existing.FunctionArn, spec.functionName);
}

export async function deleteFunction(lambda: LambdaClient, functionName: string, progress: Progress): Promise<void> {
  try {
    // Without a qualifier this removes every published version too.
    await lambda.send(new DeleteFunctionCommand({ FunctionName: functionName }));
    progress({ kind: 'function', name: functionName, status: 'deleted' });
  } catch (error) {
    if (!isMissingResource(error)) throw error;
    progress({ kind: 'function', name: functionName, status: 'absent' });
  }
}

function sameEnvironment(current: Record<string, string> | undefined, expected: Record<string, string>): boolean {
  const a = current ?? {};
  const keys = new Set([...Object.keys(a), ...Object.keys(expected)]);
  return [...keys].every((k) => a[k] === expected[k]);
}

function requireArn(arn: string | undefined, functionName: string): string {
  if (!arn) throw new Error(`Lambda returned no ARN for ${functionName}`);
  return arn;
}
