// AWS Lambda handler for an SQS event-source mapping with
// ReportBatchItemFailures. Each record goes through the same per-message logic
// as the polling consumer (application/queue/message-processor.ts); records to
// retry are hidden for their backoff and reported as batch item failures.
// The mapping receives with the queue's visibility timeout; each record's
// queue (its eventSourceARN) is known, so its visibility is brought to the
// delivery lease at once and extended until the batch is answered
// (batch-item-processor.ts): a batch whose process dies returns after one lease.
// Cold start: the master key's one read (SSM) starts while the module loads,
// and each batch starts loading the route files its records need while the
// first requests (leases, claims) are in flight.
import type { BatchItemProcessor } from '../application/queue/batch-item-processor.js';
import type { QueueServices } from '../application/queue/queue-services.js';
import type { RouteHandler } from '../application/queue/route-deliverer.js';
import { queueServicesOf } from '../application/queue/services-lookup.js';
import type { ReceivedMessage } from '../ports/message-queue.js';
import { createWorld } from '../world/create-world.js';
import { queueNameOfArn, type SqsBatchResponse, type SqsEvent, type SqsRecord } from './sqs-event.js';
import { noteInvocationDeadline, type InvocationContext } from '../world-v5/runtime-deadline.js';

/** A route; `preload`, when given, starts loading its code without handling a request. */
export type LambdaRoute = RouteHandler & { preload?: () => Promise<unknown> };

export interface LambdaHandlerOptions {
  /** The POST export of the bundled `.well-known/workflow/v1/flow.js`. */
  flow: LambdaRoute;
  /** The POST export of the bundled `.well-known/workflow/v1/step.js`. */
  step: LambdaRoute;
  /**
   * A world built by this package's createWorld(). Default: createWorld() from
   * the environment, as the runtime builds it for the routes; both share the
   * installation's process-wide state (process-scope.ts).
   */
  world?: object;
}

/** `context`: the Lambda context; its deadline is the 5 facade's getRuntimeDeadline. */
export type SqsLambdaHandler = (event: SqsEvent, context?: Partial<InvocationContext>) => Promise<SqsBatchResponse>;

/** No run has this id: its key is derived only so that the master key is read now. */
const PREFETCH_RUN_ID = 'wrun_key-prefetch';

export function createLambdaHandler(options: LambdaHandlerOptions): SqsLambdaHandler {
  // The first message needs the run key: read the master key (an SSM parameter) now, in the background.
  // A failure is not remembered (load-once.ts): the first real use reads again and reports it.
  const world = options.world as { getEncryptionKeyForRun?: (runId: string) => Promise<unknown> } | undefined;
  if (typeof world?.getEncryptionKeyForRun === 'function') {
    void Promise.resolve()
      .then(() => world.getEncryptionKeyForRun!(PREFETCH_RUN_ID))
      .catch(() => undefined);
  }
  let processor: BatchItemProcessor | undefined;
  let services: QueueServices | undefined;
  // Resolved on the first event, so a bad configuration fails the batch, not the import.
  const resolve = (): BatchItemProcessor => {
    if (!processor) {
      services = queueServicesOf(options.world ?? createWorld());
      if (!services) {
        throw new Error('createLambdaHandler found no @workflow/world-aws queue services: pass { world } built by this package\'s createWorld()');
      }
      processor = services.batchProcessorForRoutes({ flow: options.flow, step: options.step });
    }
    return processor;
  };

  return async (event, context) => {
    noteInvocationDeadline(context);
    const batch = resolve();
    const items = event.Records.map((record) => ({ message: toReceivedMessage(record), channel: batch.channelOf(record.eventSourceARN, queueNameOfArn(record.eventSourceARN)) }));
    // A route loads on its first request otherwise; a load failure surfaces there.
    for (const channel of new Set(items.map((item) => item.channel))) {
      const route = channel === 'workflow' ? options.flow : channel === 'step' ? options.step : undefined;
      void route?.preload?.().catch(() => undefined);
    }
    // Started together, so each queue's lease changes go out as ChangeMessageVisibilityBatch requests of up to 10.
    const done = await batch.processBatch(items);
    // The environment may freeze once this returns: write what the storage deferred now.
    // A failure is logged there (queue-services.ts); it must not fail the batch's done messages.
    await services?.flushDeferredWrites();
    return {
      batchItemFailures: event.Records.filter((_, i) => !done[i]).map((record) => ({ itemIdentifier: record.messageId })),
    };
  };
}

function toReceivedMessage(record: SqsRecord): ReceivedMessage {
  const attributes: Record<string, string> = {};
  for (const [name, attribute] of Object.entries(record.messageAttributes ?? {})) {
    if (attribute.stringValue !== undefined) attributes[name] = attribute.stringValue;
  }
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  return {
    messageId: record.messageId,
    receipt: record.receiptHandle,
    body: record.body,
    attributes,
    receiveCount: Number.isSafeInteger(receiveCount) && receiveCount >= 1 ? receiveCount : 1,
  };
}
