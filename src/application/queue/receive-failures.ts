// How the polling consumer paces after a failed receive. A passing fault
// (throttling, a network blip) is warned about and retried after a second. A
// configuration problem (credentials, endpoint, region, permission: a
// ServiceAccessError) is logged once as an error with its cause and fix, then
// retried with exponential backoff; it is logged again only if it changes.
import { errorMessage } from '../../domain/errors.js';
import type { Logger } from '../../ports/logger.js';
import type { QueueChannel } from '../../ports/message-queue.js';
import { accessProblemOf } from '../../ports/service-access.js';

export const RECEIVE_ERROR_PAUSE_MS = 1000;
/** Longest pause between receives while the configuration is wrong. */
export const ACCESS_PROBLEM_MAX_PAUSE_MS = 60_000;

export interface ReceiveFailures {
  /** Logs as described and returns how long to pause before the next receive. */
  failed(channel: QueueChannel, error: unknown): number;
  /** A receive worked: the backoff starts over, and a problem logged before is reported cleared. */
  succeeded(): void;
}

export function receiveFailures(logger: Logger): ReceiveFailures {
  let failures = 0;
  let reported: string | undefined;
  return {
    failed(channel, error) {
      const problem = accessProblemOf(error);
      if (!problem) {
        logger.warn('Receiving from the queue failed; pausing before the next poll', { channel, error: errorMessage(error) });
        return RECEIVE_ERROR_PAUSE_MS;
      }
      const message = `The queue consumer cannot receive: ${problem.cause}. Fix: ${problem.fix}. Retrying with backoff (up to ${ACCESS_PROBLEM_MAX_PAUSE_MS / 1000} s) until it works.`;
      if (message !== reported) logger.error(message, { channel, problem: problem.kind });
      reported = message;
      failures += 1;
      return Math.min(ACCESS_PROBLEM_MAX_PAUSE_MS, RECEIVE_ERROR_PAUSE_MS * 2 ** (failures - 1));
    },
    succeeded() {
      if (reported) logger.warn('The queue consumer receives again', {});
      failures = 0;
      reported = undefined;
    },
  };
}
