// The worker function and its event-source mappings: state, last update,
// code size, latest published version, and drift from bootstrap's settings.
import { ListVersionsByFunctionCommand, type EventSourceMappingConfiguration, type LambdaClient } from '@aws-sdk/client-lambda';
import { isAccessDenied } from '../../adapters/aws/aws-errors.js';
import { listMappings } from '../../infra/lambda/event-sources.js';
import { findFunction } from '../../infra/lambda/function.js';
import { LAMBDA_HANDLER, LAMBDA_RUNTIME } from '../../infra/lambda/settings.js';

export interface FunctionStatus {
  name: string;
  exists: boolean;
  state?: string;
  stateReason?: string;
  lastUpdateStatus?: string;
  lastUpdateStatusReason?: string;
  lastModified?: string;
  codeSizeBytes?: number;
  /** Highest published version ($LATEST when none was published: never deployed); absent when it could not be listed. */
  version?: string;
  /** Why the version is absent: the identity may not list versions (lambda:ListVersionsByFunction). */
  versionUnavailable?: string;
  runtime?: string;
  memoryMb?: number;
  timeoutSeconds?: number;
  architecture?: string;
  drift: string[];
}

export interface MappingStatus {
  queueArn?: string;
  uuid?: string;
  state?: string;
  batchSize?: number;
  maximumConcurrency?: number;
  reportsBatchItemFailures: boolean;
  lastProcessingResult?: string;
  drift: string[];
}

export async function functionStatus(lambda: LambdaClient, functionName: string): Promise<FunctionStatus> {
  const fn = await findFunction(lambda, functionName);
  if (!fn) return { name: functionName, exists: false, drift: ['missing'] };
  const drift: string[] = [];
  if (fn.Runtime && fn.Runtime !== LAMBDA_RUNTIME) drift.push(`runtime ${fn.Runtime} (bootstrap: ${LAMBDA_RUNTIME})`);
  if (fn.Handler && fn.Handler !== LAMBDA_HANDLER) drift.push(`handler ${fn.Handler} (bootstrap: ${LAMBDA_HANDLER})`);
  return {
    name: functionName,
    exists: true,
    ...(fn.State ? { state: fn.State } : {}),
    ...(fn.StateReason ? { stateReason: fn.StateReason } : {}),
    ...(fn.LastUpdateStatus ? { lastUpdateStatus: fn.LastUpdateStatus } : {}),
    ...(fn.LastUpdateStatusReason ? { lastUpdateStatusReason: fn.LastUpdateStatusReason } : {}),
    ...(fn.LastModified ? { lastModified: fn.LastModified } : {}),
    ...(fn.CodeSize !== undefined ? { codeSizeBytes: fn.CodeSize } : {}),
    ...(await latestVersion(lambda, functionName)),
    ...(fn.Runtime ? { runtime: fn.Runtime } : {}),
    ...(fn.MemorySize !== undefined ? { memoryMb: fn.MemorySize } : {}),
    ...(fn.Timeout !== undefined ? { timeoutSeconds: fn.Timeout } : {}),
    ...(fn.Architectures?.[0] ? { architecture: fn.Architectures[0] } : {}),
    drift,
  };
}

/**
 * Versions come in pages of at most 50 (the API's default); a deployed
 * function has one per deploy. An identity without
 * lambda:ListVersionsByFunction still gets the rest of the status.
 */
async function latestVersion(lambda: LambdaClient, functionName: string): Promise<Pick<FunctionStatus, 'version' | 'versionUnavailable'>> {
  let highest = 0;
  let marker: string | undefined;
  try {
    do {
      const page = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: functionName, Marker: marker }));
      for (const v of page.Versions ?? []) {
        const n = Number(v.Version);
        if (Number.isInteger(n) && n > highest) highest = n;
      }
      marker = page.NextMarker;
    } while (marker);
  } catch (error) {
    if (!isAccessDenied(error)) throw error;
    return { versionUnavailable: 'access denied to lambda:ListVersionsByFunction (docs/iam.md, the identity that runs the CLI)' };
  }
  return { version: highest > 0 ? String(highest) : '$LATEST' };
}

export async function mappingStatuses(lambda: LambdaClient, functionName: string, queueArns: string[]): Promise<MappingStatus[]> {
  const mappings = await listMappings(lambda, functionName);
  const statuses = mappings.map(mappingStatus);
  for (const arn of queueArns) {
    if (!mappings.some((m) => m.EventSourceArn === arn)) statuses.push({ queueArn: arn, reportsBatchItemFailures: false, drift: ['missing'] });
  }
  return statuses;
}

function mappingStatus(m: EventSourceMappingConfiguration): MappingStatus {
  const reports = m.FunctionResponseTypes?.includes('ReportBatchItemFailures') ?? false;
  const drift: string[] = [];
  if (!reports) drift.push('no ReportBatchItemFailures (a failed message would fail its whole batch)');
  if (m.State && m.State !== 'Enabled' && m.State !== 'Enabling' && m.State !== 'Updating') drift.push(`state ${m.State}`);
  return {
    ...(m.EventSourceArn ? { queueArn: m.EventSourceArn } : {}),
    ...(m.UUID ? { uuid: m.UUID } : {}),
    ...(m.State ? { state: m.State } : {}),
    ...(m.BatchSize !== undefined ? { batchSize: m.BatchSize } : {}),
    ...(m.ScalingConfig?.MaximumConcurrency !== undefined ? { maximumConcurrency: m.ScalingConfig.MaximumConcurrency } : {}),
    reportsBatchItemFailures: reports,
    ...(m.LastProcessingResult ? { lastProcessingResult: m.LastProcessingResult } : {}),
    drift,
  };
}
