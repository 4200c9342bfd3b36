// Composition of the queue half of the World from ports and config. Plain
// functions and closures: cheap and synchronous to build (the runtime builds a
// world at import time), nothing connects until used.
import { reenqueueActiveRuns, type Queue, type Storage } from '@workflow/world';
import type { WorldConfig } from '../../config/world-config.js';
import { SETTINGS } from '../../config/settings.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/id-source.js';
import type { IdempotencyStore } from '../../ports/idempotency-store.js';
import type { Logger } from '../../ports/logger.js';
import type { MessageQueue } from '../../ports/message-queue.js';
import { createBatchItemProcessor, type BatchItemProcessor } from './batch-item-processor.js';
import { createPollingConsumer, type PollingConsumer } from './consumer.js';
import type { Deliverer } from './deliverer.js';
import { processHandlerRegistry, type HandlerRegistry } from './handler-registry.js';
import { createHttpDeliverer } from './http-deliverer.js';
import { createInProcessDeliverer } from './in-process-deliverer.js';
import { createMessageProcessor, type MessageProcessor } from './message-processor.js';
import { LocalCoordination } from './local-coordination.js';
import { makeQueue } from './producer.js';
import { errorMessage } from '../../domain/errors.js';
import { DEFAULT_MAX_DELIVERY_BODY_BYTES, makeCreateQueueHandler } from './queue-handler.js';
import { createSendCoalescer } from './send-coalescer.js';
import { createInlineSteps } from './inline-steps.js';
import { stepFinishedIn } from './step-finished.js';
import { createNetCheck } from './run-nets.js';
import { createRouteDeliverer, type WorkflowRoutes } from './route-deliverer.js';
import { DEFAULT_SIGNATURE_TOLERANCE_SECONDS } from './signature.js';

export type QueueConfig = Pick<
  WorldConfig,
  | 'deploymentId'
  | 'consumer'
  | 'delivery'
  | 'baseUrl'
  | 'port'
  | 'signingSecret'
  | 'concurrency'
  | 'maxDelaySeconds'
  | 'maxReceiveCount'
  | 'retryBaseSeconds'
  | 'retryMaxSeconds'
  | 'visibilitySeconds'
  | 'maxHandlerSeconds'
  | 'maxMessageBytes'
  | 'idempotencyWindowSeconds'
> &
  Partial<Pick<WorldConfig, 'maxDeliveryBodyBytes' | 'allowPlainHttp' | 'pollWaitSeconds' | 'inlineBacklog'>>;

export interface QueueServicesDeps {
  config: QueueConfig;
  messageQueue: MessageQueue;
  blobStore: BlobStore;
  idempotencyStore: IdempotencyStore;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  /**
   * Writes work the storage defers (projections, written behind their commits).
   * A Lambda environment may freeze as soon as a batch returns, so its handler
   * calls this first; otherwise listings would show stale runs until a thaw.
   */
  flushDeferredWrites?: () => Promise<void>;
  /** The storage's runs API, for re-enqueueing active runs on start(). */
  runs: Storage['runs'];
  /** The storage's step and event reads: a step's safety net asks them whether its sender finished it (inline-steps.ts). */
  log?: Pick<Storage, 'steps' | 'events'>;
  /** The workflow@5 line runs steps in the flow handler: its workflow messages are leased too (delivery-lifecycle.ts). */
  leaseWorkflowMessages?: boolean;
  options?: QueueServicesOptions;
}

export interface QueueServicesOptions {
  /** In [0, 1), for backoff jitter. Default Math.random. */
  random?: () => number;
  /** Read for PORT at delivery time. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Long-poll wait per receive. Default config.pollWaitSeconds. */
  pollWaitSeconds?: number;
  /** How long close() lets a long poll end by itself before aborting it. Default: the poll wait plus a margin (consumer.ts). */
  closeGraceMs?: number;
  signatureToleranceSeconds?: number;
  /** Default: the process-wide registry shared by every world instance. */
  registry?: HandlerRegistry;
  /** Whether start() re-enqueues pending/running runs. Default true. */
  recoverActiveRuns?: boolean;
  /**
   * What this process knows of its sends and deliveries. The composition root
   * passes the installation's (config/installation.ts), shared by every world
   * of it in the process; without one these services keep their own.
   */
  coordination?: LocalCoordination;
}

export interface QueueConsumerControl {
  /** Starts polling (consumer mode "process") and re-enqueues active runs. */
  start(): Promise<void>;
  /** Stops polling and drains in-flight messages. */
  close(): Promise<void>;
}

export interface QueueServices {
  queue: Queue['queue'];
  createQueueHandler: Queue['createQueueHandler'];
  getDeploymentId: Queue['getDeploymentId'];
  consumer: QueueConsumerControl;
  /** The per-message logic, delivering to route functions and settled for a batch transport: the Lambda handler. */
  batchProcessorForRoutes(routes: WorkflowRoutes): BatchItemProcessor;
  /** Writes what the storage deferred; the Lambda handler calls it before returning a batch. Never throws: a failure is logged. */
  flushDeferredWrites(): Promise<void>;
}

const RECOVERY_LABEL = 'world-aws';

export function createQueueServices(deps: QueueServicesDeps): QueueServices {
  const { config, blobStore, clock, logger } = deps;
  const options = deps.options ?? {};
  const registry = options.registry ?? processHandlerRegistry();
  const env = options.env ?? process.env;
  const messageQueue = deps.messageQueue;
  const maxHopSeconds = Math.min(config.maxDelaySeconds, messageQueue.maxDelaySeconds);
  const maxMessageBytes = Math.min(config.maxMessageBytes, messageQueue.maxMessageBytes);
  const local = options.coordination ?? new LocalCoordination(clock);
  const coalescer = createSendCoalescer({
    store: deps.idempotencyStore,
    local,
    clock,
    logger,
    settings: {
      // Well under half the lease of the delivery that sends (extended every half lease), so a crash
      // between claim and send frees the key before that delivery is redelivered and re-queues it.
      claimLeaseSeconds: Math.max(1, Math.floor(config.visibilitySeconds / 3)),
      deliveryLeaseSeconds: config.visibilitySeconds,
      wakeupLeaseSeconds: config.visibilitySeconds,
      idempotencyWindowSeconds: config.idempotencyWindowSeconds,
    },
  });

  const netNeedsNoRun = createNetCheck({ nets: local.nets, runs: deps.runs, logger });
  const processorWith = (deliverer: Deliverer, extendLease: boolean): MessageProcessor =>
    createMessageProcessor({
      netNeedsNoRun,
      queue: messageQueue,
      blobStore,
      idempotencyStore: deps.idempotencyStore,
      deliverer,
      clock,
      logger,
      local,
      random: options.random ?? Math.random,
      settings: {
        maxHopSeconds,
        maxMessageBytes,
        maxReceiveCount: config.maxReceiveCount,
        retryBaseSeconds: config.retryBaseSeconds,
        retryMaxSeconds: config.retryMaxSeconds,
        leaseSeconds: config.visibilitySeconds,
        extendLease,
        maxHandlerSeconds: config.maxHandlerSeconds,
      },
    });

  // Built on first use: the factory must stay cheap.
  let polling: { consumer: PollingConsumer; deliverer: Deliverer } | undefined;
  let closed = false;
  const startPolling = (): void => {
    if (config.consumer !== 'process' || closed) return;
    if (!polling) {
      const deliverer =
        config.delivery === 'in-process' ? createInProcessDeliverer(registry) : createHttpDeliverer({ config, env, clock });
      const consumer = createPollingConsumer({
        queue: messageQueue,
        processor: processorWith(deliverer, true),
        clock,
        logger,
        concurrency: config.concurrency,
        visibilitySeconds: config.visibilitySeconds,
        pollWaitSeconds: options.pollWaitSeconds ?? config.pollWaitSeconds ?? SETTINGS.pollWaitSeconds.fallback(''),
        closeGraceMs: options.closeGraceMs,
      });
      polling = { consumer, deliverer };
      // Another world of this installation may have closed its consumer (and pacing) in this process.
      local.pacing.open();
      local.nets.open();
    }
    polling.consumer.start();
  };

  // Lambda: a step run after its batch is answered could be frozen with the process, and one the batch
  // waited for would make one invocation carry a whole run; steps travel as messages there.
  const inlineSteps =
    config.consumer === 'lambda'
      ? undefined
      : createInlineSteps({
          registry,
          local,
          clock,
          logger,
          random: options.random ?? Math.random,
          settings: {
            maxRunning: config.concurrency,
            retryBaseSeconds: config.retryBaseSeconds,
            retryMaxSeconds: config.retryMaxSeconds,
            maxHandlerSeconds: config.maxHandlerSeconds,
            leaseSeconds: config.visibilitySeconds,
            // A fan-out's steps wait here for a slot rather than travel through SQS (a send, a receive, a delete
            // and two writes each); beyond the backlog they are sent and spread over consumers.
            backlog: (config.inlineBacklog ?? SETTINGS.inlineBacklog.fallback('')) * config.concurrency,
          },
        });

  const queue = makeQueue({
    queue: messageQueue,
    blobStore,
    clock,
    ids: deps.ids,
    deploymentId: config.deploymentId,
    maxHopSeconds,
    maxMessageBytes,
    coalescer,
    // Replay pacing needs the steps sent here to be delivered here: not on Lambda.
    onStepSent: config.consumer === 'process' ? (runId) => local.pacing.stepSent(runId) : undefined,
    // Nothing in the runtime calls start(): the first message this process
    // sends starts its consumer, as world-postgres does.
    afterSend: startPolling,
    inlineSteps,
    runNets: local.nets,
    logger,
    leaseSeconds: config.visibilitySeconds,
  });

  const services: QueueServices = {
    queue,
    flushDeferredWrites: async () => {
      try {
        await deps.flushDeferredWrites?.();
      } catch (error) {
        // Logged, not thrown: the batch's messages are done; only the listings lag.
        logger.error('Could not write deferred projections before the batch returned: run listings may lag', { error: errorMessage(error) });
      }
    },
    createQueueHandler: makeCreateQueueHandler({
      signingSecret: config.signingSecret,
      signatureToleranceSeconds: options.signatureToleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
      maxBodyBytes: config.maxDeliveryBodyBytes ?? DEFAULT_MAX_DELIVERY_BODY_BYTES,
      // In Lambda mode no delivery ever crosses a network, so there is none to capture and replay: no write per message.
      replayStore: config.consumer === 'lambda' ? undefined : deps.idempotencyStore,
      clock,
      logger,
      registry,
      // Every keyed step message's lease (and on the 5 line every workflow message's) is taken where it runs, whatever the transport.
      deliveryLeases: {
        store: deps.idempotencyStore,
        stepFinished: deps.log ? stepFinishedIn(deps.log) : undefined,
        leaseWorkflowMessages: deps.leaseWorkflowMessages,
        settings: {
          leaseSeconds: config.visibilitySeconds,
          maxHandlerSeconds: config.maxHandlerSeconds,
          idempotencyWindowSeconds: config.idempotencyWindowSeconds,
        },
      },
      coordination: local,
      // Not on the workflow@5 line: its runtime runs steps inside the flow handler and recovers them itself.
      recoverHeldSteps: inlineSteps !== undefined && !deps.leaseWorkflowMessages,
    }),
    getDeploymentId: async () => config.deploymentId,
    consumer: {
      async start() {
        startPolling();
        if (options.recoverActiveRuns === false || closed) return;
        try {
          await reenqueueActiveRuns(deps.runs, queue, RECOVERY_LABEL);
        } catch (error) {
          logger.error('Re-enqueueing active runs failed; runs waiting on a lost message stay stuck until re-enqueued', {
            error: error instanceof Error ? error.message : String(error),
          });
        }
      },
      async close() {
        closed = true;
        coalescer.close();
        const inline = local.inlineSettled();
        // A wake-up waiting in a paced gap is in flight: let it run now rather than hold close(), and
        // a replay still running creates no new gap.
        local.pacing.close();
        if (polling) {
          await polling.consumer.close();
          await polling.deliverer.close();
        }
        // Steps running here end within their deadline, as deliveries do; their runs stay covered until then.
        await inline;
        local.nets.close();
      },
    },
    // The transport receives with the queue's long visibility: the batch processor holds each message for a lease.
    batchProcessorForRoutes: (routes) =>
      createBatchItemProcessor(processorWith(createRouteDeliverer(routes, config.signingSecret, clock), false), messageQueue, clock, logger, {
        leaseSeconds: config.visibilitySeconds,
      }),
  };
  return services;
}

