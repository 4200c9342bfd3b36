// The two SQS → Lambda event-source mappings. Partial batch responses
// (ReportBatchItemFailures) let one failed message retry without the others.
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { Progress } from '../progress.js';
import { hasErrorName, isMissingResource } from '../../adapters/aws/aws-errors.js';
import { pollUntil, retryWhile, type Sleep } from '../retry.js';
import { isRolePropagationError, PROPAGATION_RETRY } from './function.js';
import { EVENT_SOURCE_BATCH_SIZE } from './settings.js';

const RESPONSE_TYPES = ['ReportBatchItemFailures'] as const;

export async function listMappings(lambda: LambdaClient, functionName: string, queueArn?: string): Promise<EventSourceMappingConfiguration[]> {
  const found: EventSourceMappingConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: functionName, ...(queueArn ? { EventSourceArn: queueArn } : {}), Marker: marker }),
    );
    found.push(...(page.EventSourceMappings ?? []));
    marker = page.NextMarker;
  } while (marker);
  return found;
}

export async function ensureMapping(
  lambda: LambdaClient,
  functionName: string,
  queue: { name: string; arn: string },
  progress: Progress,
  sleep: Sleep,
): Promise<string> {
  const label = `${queue.name} → ${functionName}`;
  const [existing] = await listMappings(lambda, functionName, queue.arn);
  if (existing?.UUID) {
    if (existing.FunctionResponseTypes?.includes('ReportBatchItemFailures')) {
      progress({ kind: 'event-source-mapping', name: label, status: 'present' });
      return existing.UUID;
    }
    await waitForState(lambda, existing.UUID, ['Enabled', 'Disabled'], sleep);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: existing.UUID, FunctionResponseTypes: [...RESPONSE_TYPES] }));
    await waitForState(lambda, existing.UUID, ['Enabled', 'Disabled'], sleep);
    progress({ kind: 'event-source-mapping', name: label, status: 'updated' });
    return existing.UUID;
  }
  // A just-written role policy may not have reached Lambda yet; it then refuses the SQS source.
  const created = await retryWhile(
    () =>
      lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: functionName,
          EventSourceArn: queue.arn,
          BatchSize: EVENT_SOURCE_BATCH_SIZE,
          FunctionResponseTypes: [...RESPONSE_TYPES],
          Enabled: true,
        }),
      ),
    isRolePropagationError,
    { ...PROPAGATION_RETRY, sleep },
  );
  if (!created.UUID) throw new Error(`CreateEventSourceMapping returned no UUID for ${label}`);
  await waitForState(lambda, created.UUID, ['Enabled'], sleep);
  progress({ kind: 'event-source-mapping', name: label, status: 'created' });
  return created.UUID;
}

/** Deletes every mapping of the function; returns once they are gone. */
export async function deleteMappings(lambda: LambdaClient, functionName: string, progress: Progress, sleep: Sleep): Promise<void> {
  let mappings: EventSourceMappingConfiguration[];
  try {
    mappings = await listMappings(lambda, functionName);
  } catch (error) {
    if (isMissingResource(error)) return;
    throw error;
  }
  for (const mapping of mappings) {
    if (!mapping.UUID) continue;
    try {
      await lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID }));
    } catch (error) {
      // Already being deleted (ResourceInUse) or gone: either way it is on its way out.
      if (!hasErrorName(error, 'ResourceNotFoundException', 'ResourceInUseException')) throw error;
    }
    await waitForGone(lambda, mapping.UUID, sleep);
    progress({ kind: 'event-source-mapping', name: `${queueName(mapping.EventSourceArn)} → ${functionName}`, status: 'deleted' });
  }
}

async function waitForState(lambda: LambdaClient, uuid: string, states: string[], sleep: Sleep): Promise<void> {
  await pollUntil(
    async () => {
      const { State } = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
      return State && states.includes(State) ? State : undefined;
    },
    `event-source mapping ${uuid} to become ${states.join(' or ')}`,
    { attempts: 60, delayMs: 2000, sleep },
  );
}

async function waitForGone(lambda: LambdaClient, uuid: string, sleep: Sleep): Promise<void> {
  await pollUntil(
    async () => {
      try {
        await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
        return undefined;
      } catch (error) {
        if (isMissingResource(error)) return true;
        throw error;
      }
    },
    `event-source mapping ${uuid} to be deleted`,
    { attempts: 60, delayMs: 2000, sleep },
  );
}

function queueName(arn: string | undefined): string {
  return arn?.split(':').pop() ?? 'queue';
}
