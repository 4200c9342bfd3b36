// Puts the worker's settings on the function and its mappings, changing only
// what differs. Architecture travels with the code (UpdateFunctionCode), so
// it is applied by the upload.
import {
  UpdateEventSourceMappingCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
  type EventSourceMappingConfiguration,
  type FunctionConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { Sleep } from '../../infra/retry.js';
import { listMappings } from '../../infra/lambda/event-sources.js';
import type { FunctionSettings } from './function-settings.js';

/** Human-readable differences between the function as it is and the settings wanted. */
export function settingsChanges(fn: FunctionConfiguration, mappings: EventSourceMappingConfiguration[], s: FunctionSettings): string[] {
  const changes: string[] = [];
  if (fn.MemorySize !== s.memoryMb) changes.push(`memory ${fn.MemorySize ?? '?'} → ${s.memoryMb} MB`);
  if (fn.Timeout !== s.timeoutSeconds) changes.push(`timeout ${fn.Timeout ?? '?'} → ${s.timeoutSeconds} s`);
  const arch = fn.Architectures?.[0] ?? 'x86_64';
  if (arch !== s.architecture) changes.push(`architecture ${arch} → ${s.architecture}`);
  for (const m of mappings) {
    const queue = m.EventSourceArn?.split(':').pop() ?? m.UUID;
    if (m.BatchSize !== s.batchSize) changes.push(`${queue} batch size ${m.BatchSize ?? '?'} → ${s.batchSize}`);
    if (s.maxConcurrency !== undefined && m.ScalingConfig?.MaximumConcurrency !== s.maxConcurrency) {
      changes.push(`${queue} max concurrency ${m.ScalingConfig?.MaximumConcurrency ?? 'unset'} → ${s.maxConcurrency}`);
    }
  }
  return changes;
}

export async function applyFunctionConfiguration(lambda: LambdaClient, functionName: string, fn: FunctionConfiguration, s: FunctionSettings): Promise<boolean> {
  if (fn.MemorySize === s.memoryMb && fn.Timeout === s.timeoutSeconds) return false;
  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 300 }, { FunctionName: functionName });
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, MemorySize: s.memoryMb, Timeout: s.timeoutSeconds }));
  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 300 }, { FunctionName: functionName });
  return true;
}

export async function applyMappingSettings(lambda: LambdaClient, functionName: string, s: FunctionSettings, sleep: Sleep): Promise<number> {
  let updated = 0;
  for (const m of await listMappings(lambda, functionName)) {
    const batch = m.BatchSize !== s.batchSize;
    const concurrency = s.maxConcurrency !== undefined && m.ScalingConfig?.MaximumConcurrency !== s.maxConcurrency;
    if (!m.UUID || (!batch && !concurrency)) continue;
    // A mapping still Creating/Updating rejects updates with ResourceInUseException.
    for (let i = 0; i < 30 && m.State && !['Enabled', 'Disabled'].includes(m.State); i++) await sleep(2000);
    await lambda.send(
      new UpdateEventSourceMappingCommand({
        UUID: m.UUID,
        ...(batch ? { BatchSize: s.batchSize } : {}),
        ...(concurrency ? { ScalingConfig: { MaximumConcurrency: s.maxConcurrency } } : {}),
      }),
    );
    updated++;
  }
  return updated;
}
