// fauxqs (SQS and S3 on one port) with the object-tagging add-on, on loopback
// only: its own startFauxqs() binds every interface.
import type { AddressInfo } from 'node:net';
import { addObjectTagging } from './fauxqs/object-tagging.js';
import { handBackMessagesOfGoneReceivers, type SqsStoreWithQueues } from './fauxqs/gone-receivers.js';
import { sqsStoreWithRequestHostUrls } from './fauxqs/resolvable-queue-urls.js';
import type { RunningServer } from './running-server.js';

/**
 * `region` is what fauxqs assumes when a request's signature names none.
 * `handBackGonePolls: false` leaves messages handed to a gone long poll hidden,
 * as real SQS does (tests of the consumer's close).
 */
export async function startFauxqs(port = 0, region = 'us-east-1', handBackGonePolls = true): Promise<RunningServer> {
  // Queue URLs on 127.0.0.1:<port>, which resolve, instead of sqs.<region>.localhost.
  // Loaded on use: fauxqs is an optional (development) dependency.
  const { buildApp } = await import('fauxqs');
  const sqsStore = await sqsStoreWithRequestHostUrls();
  const app = buildApp({ logger: false, defaultRegion: region, ...(sqsStore ? { stores: { sqsStore } as never } : {}) });
  addObjectTagging(app);
  if (sqsStore && handBackGonePolls) handBackMessagesOfGoneReceivers(app as never, sqsStore as unknown as SqsStoreWithQueues);
  await app.listen({ port, host: '127.0.0.1' });
  const actualPort = (app.server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    // buildApp sets forceCloseConnections, so close() also ends kept-alive and long-polling connections.
    stop: () => (stopped ??= app.close().then(() => undefined)),
  };
}
