// createWorld for the workflow@5 line: the same composition as the 4.x
// facade (one domain, one storage schema, the same adapters and services),
// with the 5 line's event semantics, wrapped into the 5 World interface.
import { PayloadClaimCheck } from '../application/storage/claim-check.js';
import { attachQueueServices } from '../application/queue/index.js';
import { BUCKET } from '../adapters/aws/resources.js';
import { installationKey } from '../config/installation.js';
import { resolveWorldConfig } from '../config/world-config.js';
import { newUlid, RUN_ID_PREFIX } from '../domain/ids.js';
import { processScope, token } from '../process-scope.js';
import type { CreateWorldOptions } from '../world/create-world.js';
import { composeParts, portOverrides } from '../world/compose.js';
import { BatchCommitter } from './batch/batch-commit.js';
import { makeQueueBatch } from './queue-batch.js';
import { RunSignals } from './run-signals.js';
import { runtimeDeadline } from './runtime-deadline.js';
import { v5Semantics } from '../domain/line-semantics.js';
import { storageV5 } from './storage.js';
import { streamsOf } from './streams.js';
import type { WorldCapabilities, WorldV5 } from './types.js';

export type { CreateWorldOptions };

export interface AwsWorldV5 extends WorldV5 {
  start(): Promise<void>;
  close(): Promise<void>;
}

const RUN_SIGNALS = token<RunSignals>('v5-run-signals');

/**
 * What this world really does of the optional features: nothing the runtime
 * gates on a capability. No `invoke` (one runner per run is not enforced), no
 * hook retention, no queue concurrency limits, no `(runId, resumeId)` dedup
 * of hook_received, no deployment affinity (one installation serves one
 * deployment).
 */
export const CAPABILITIES_V5: WorldCapabilities = Object.freeze({});

/** Synchronous and cheap, like the 4.x createWorld: nothing connects until used. */
export function createWorld(options: CreateWorldOptions = {}): AwsWorldV5 {
  const { overrides, ...input } = options;
  const config = resolveWorldConfig(input);
  const scope = processScope();
  const specVersion = config.v5SpecVersion;
  const semantics = v5Semantics(specVersion);
  const parts = composeParts(config, scope, portOverrides(overrides ?? {}), semantics, '5');
  const { world: base, get } = parts;
  const clock = get('clock');
  const ids = get('ids');
  const signals = scope.ofInstallation(RUN_SIGNALS, installationKey(config), () => new RunSignals());
  const batches = new BatchCommitter({
    store: get('events'),
    claimCheck: new PayloadClaimCheck({ blobs: get('blobs'), keyPrefix: BUCKET.payloadPrefix, maxInlineBytes: config.maxInlinePayloadBytes }),
    clock,
    cache: get('snapshots'),
    maxInlinePayloadBytes: config.maxInlinePayloadBytes,
    context: () => ({ now: clock.now(), newRunId: (at) => newUlid(RUN_ID_PREFIX, at, ids.randomBytes(10)), ...semantics }),
  });
  const world = {
    specVersion,
    capabilities: CAPABILITIES_V5,
    streamFlushIntervalMs: base.streamFlushIntervalMs,
    ...storageV5({ storage: parts.storage, batches, signals, clock }),
    streams: streamsOf(parts.streamer),
    getDeploymentId: base.getDeploymentId,
    queue: base.queue,
    queueBatch: makeQueueBatch(base.queue as never),
    createQueueHandler: base.createQueueHandler,
    getEncryptionKeyForRun: base.getEncryptionKeyForRun,
    getRuntimeDeadline: async () => runtimeDeadline(clock),
    start: base.start,
    close: base.close,
  } as unknown as AwsWorldV5;
  return attachQueueServices(world, parts.queue);
}
