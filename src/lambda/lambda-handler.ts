// AWS Lambda handler for an SQS event-source mapping with
// ReportBatchItemFailures. Each record goes through the same per-message logic
// as the polling consumer (application/queue/message-processor.ts); records to
// retry are hidden for their backoff and reported as batch item failures.
// The mapping receives with the queue's visibility timeout; each record's
// queue (its eventSourceARN) is known, so its visibility is brought to the
// delivery lease at once and extended until the batch is answered
// (batch-item-processor.ts): a batch whose process dies returns after one lease.
import type { BatchItemProcessor } from '../application/queue/batch-item-processor.js';
import type { QueueServices } from '../application/queue/queue-services.js';
import type { RouteHandler } from '../application/queue/route-deliverer.js';
import { queueServicesOf } from '../application/queue/services-lookup.js';
import type { ReceivedMessage } from '../ports/message-queue.js';
import { createWorld } from '../world/create-world.js';
import { queueNameOfArn, type SqsBatchResponse, type SqsEvent, type SqsRecord } from './sqs-event.js';
import { noteInvocationDeadline, type InvocationContext } from '../world-v5/runtime-deadline.js';

export interface LambdaHandlerOptions {
  /** The POST export of the bundled `.well-known/workflow/v1/flow.js`. */
  flow: RouteHandler;
  /** The POST export of the bundled `.well-known/workflow/v1/step.js`. */
  step: RouteHandler;
  /**
   * A world built by this package's createWorld(). Default: createWorld() from
   * the environment, as the runtime builds it for the routes; both share the
   * installation's process-wide state (process-scope.ts).
   */
  world?: object;
}

/** `context`: the Lambda context; its deadline is the 5 facade's getRuntimeDeadline. */
export type SqsLambdaHandler = (event: SqsEvent, context?: Partial<InvocationContext>) => Promise<SqsBatchResponse>;

export function createLambdaHandler(options: LambdaHandlerOptions): SqsLambdaHandler {
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
    // Started together, so each queue's lease changes go out as ChangeMessageVisibilityBatch requests of up to 10.
    const done = await batch.processBatch(
      event.Records.map((record) => ({ message: toReceivedMessage(record), channel: batch.channelOf(record.eventSourceARN, queueNameOfArn(record.eventSourceARN)) })),
    );
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
