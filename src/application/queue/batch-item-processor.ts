// Settlement for a transport that deletes a message itself when it is not
// reported as failed (a Lambda SQS event-source mapping with
// ReportBatchItemFailures): a retry hides the message for its backoff and
// reports it failed; everything else reports success.
import type { Logger } from '../../ports/logger.js';
import type { MessageQueue, ReceivedMessage } from '../../ports/message-queue.js';
import { errorMessage } from '../../domain/errors.js';
import type { MessageProcessor } from './message-processor.js';

export interface BatchItemProcessor {
  /** True: done, let the transport delete it. False: report it as a batch item failure. Never throws. */
  process(message: ReceivedMessage): Promise<boolean>;
}

export function createBatchItemProcessor(processor: MessageProcessor, queue: MessageQueue, logger: Logger): BatchItemProcessor {
  return {
    async process(message) {
      const disposition = await processor.process(undefined, message);
      if (disposition.kind === 'ack') {
        await disposition.afterAck?.();
        return true;
      }
      if (disposition.channel) {
        try {
          await queue.setVisibility(disposition.channel, message.receipt, disposition.visibilitySeconds);
        } catch (error) {
          // The queue's own visibility timeout applies instead.
          logger.warn('Could not set the retry delay of a failed message', { transportMessageId: message.messageId, error: errorMessage(error) });
        }
      }
      return false;
    },
  };
}
