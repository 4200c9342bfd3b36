// The composition root. One inversify container per world instance (one
// installation), a child of the process scope's container: the adapter set
// (aws or memory) binds every port, overrides rebind ports on the child, and
// the application services and the World are bound on top of the ports.
import type { Storage } from '@workflow/world';
import { Container } from 'inversify';
import { createQueueServices, type QueueServices } from '../application/queue/index.js';
import { processHandlerRegistry } from '../application/queue/handler-registry.js';
import { processCoordination } from '../application/queue/local-coordination.js';
import { createStorage } from '../application/storage/index.js';
import { createStreamer, type WorldStreamer } from '../application/streamer/index.js';
import { installationKey } from '../config/installation.js';
import { ConfigError, type WorldConfig } from '../config/world-config.js';
import { BUCKET } from '../adapters/aws/resources.js';
import type { EventSemantics } from '../domain/model.js';
import type { WorkflowLine } from '../domain/workflow-line.js';
import { processScope, resolve, token, type ProcessScope } from '../process-scope.js';
import { assembleWorld, type AwsWorld } from './assemble-world.js';
import { awsPorts } from './aws-ports.js';
import { memoryPorts } from './memory-ports.js';
import { resourceCheck } from './resource-check.js';
import { workflowLineCheck } from './workflow-line-check.js';
import { warnUnknownVariablesOnce } from './warn-unknown-variables.js';
import { PORT, PORT_NAMES, type PortFactories, type PortName, type PortOverrides, type PortResolver, type Ports } from './ports.js';

const SERVICE = {
  config: token<WorldConfig>('Config'),
  storage: token<Storage>('Storage'),
  streamer: token<WorldStreamer>('Streamer'),
  queue: token<QueueServices>('QueueServices'),
  world: token<AwsWorld>('World'),
};

/** Builds one world instance of `config`'s installation. Cheap and synchronous: nothing connects until used. */
export function compose(config: WorldConfig, scope: ProcessScope = processScope(), overrides: PortOverrides = {}): AwsWorld {
  return composeParts(config, scope, overrides).world;
}

/** A composed world with the ports and services it was built from (the workflow@5 facade wraps these). */
export interface ComposedWorld {
  world: AwsWorld;
  get: PortResolver;
  storage: Storage;
  streamer: WorldStreamer;
  queue: QueueServices;
}

/**
 * `compose`, keeping the parts; `semantics` sets the event semantics of a World line other than 4.x,
 * `line` the Workflow line the world claims its installation for (domain/workflow-line.ts).
 */
export function composeParts(
  config: WorldConfig,
  scope: ProcessScope = processScope(),
  overrides: PortOverrides = {},
  semantics?: Partial<EventSemantics>,
  line: WorkflowLine = '4',
): ComposedWorld {
  const { container, get } = portContainer(config, scope, overrides);
  bindServices(container, config, scope, get, semantics, line);
  warnUnknownVariablesOnce(scope, get);
  return {
    world: resolve(container, SERVICE.world),
    get,
    storage: resolve(container, SERVICE.storage),
    streamer: resolve(container, SERVICE.streamer),
    queue: resolve(container, SERVICE.queue),
  };
}

/** The ports of `config`'s installation alone, built as its worlds build them (verify reads and repairs through them). */
export function composePorts(config: WorldConfig, scope: ProcessScope = processScope(), overrides: PortOverrides = {}): PortResolver {
  return portContainer(config, scope, overrides).get;
}

function portContainer(config: WorldConfig, scope: ProcessScope, overrides: PortOverrides): { container: Container; get: PortResolver } {
  const container = new Container({ parent: scope.container, defaultScope: 'Singleton' });
  const factories = config.adapters === 'memory' ? memoryPorts(config, scope) : awsPorts(config, scope);
  const get: PortResolver = (name) => resolve(container, PORT[name]);
  for (const name of PORT_NAMES) bindPort(container, name, factories, get);
  for (const name of PORT_NAMES) overridePort(container, name, overrides, factories, get);
  return { container, get };
}

function bindPort<K extends PortName>(container: Container, name: K, factories: PortFactories, get: PortResolver): void {
  container.bind(PORT[name]).toDynamicValue(() => factories[name](get));
}

function overridePort<K extends PortName>(container: Container, name: K, overrides: PortOverrides, factories: PortFactories, get: PortResolver): void {
  const override = overrides[name] as PortOverrides[K];
  if (override === undefined) return;
  const binding = container.rebind(PORT[name]);
  if (typeof override === 'function') binding.toDynamicValue(() => (override as (current: Ports[K]) => Ports[K])(factories[name](get)));
  else binding.toConstantValue(override as Ports[K]);
}

function bindServices(
  container: Container,
  config: WorldConfig,
  scope: ProcessScope,
  get: PortResolver,
  semantics: Partial<EventSemantics> | undefined,
  line: WorkflowLine,
): void {
  container.bind(SERVICE.config).toConstantValue(config);
  container.bind(SERVICE.storage).toDynamicValue(() =>
    createStorage({
      store: get('events'),
      blobs: get('blobs'),
      clock: get('clock'),
      ids: get('ids'),
      logger: get('logger'),
      maxInlinePayloadBytes: config.maxInlinePayloadBytes,
      blobKeyPrefix: BUCKET.payloadPrefix,
      preconditionGuard: config.preconditionGuard,
      snapshotCache: get('snapshots'),
      semantics,
    }),
  );
  container.bind(SERVICE.streamer).toDynamicValue(() =>
    createStreamer({
      store: get('streams'),
      blobs: get('blobs'),
      clock: get('clock'),
      logger: get('logger'),
      maxInlineBytes: config.maxInlinePayloadBytes,
    }),
  );
  container.bind(SERVICE.queue).toDynamicValue(() => {
    const store = get('events');
    return createQueueServices({
      config,
      messageQueue: get('queue'),
      blobStore: get('blobs'),
      idempotencyStore: get('idempotency'),
      clock: get('clock'),
      ids: get('ids'),
      logger: get('logger'),
      runs: resolve(container, SERVICE.storage).runs,
      log: resolve(container, SERVICE.storage),
      leaseWorkflowMessages: line === '5',
      flushDeferredWrites: async () => store.flush?.(),
      options: { registry: processHandlerRegistry(scope), coordination: processCoordination(installationKey(config), get('clock'), scope) },
    });
  });
  container.bind(SERVICE.world).toDynamicValue(() =>
    assembleWorld({
      config,
      storage: resolve(container, SERVICE.storage),
      streamer: resolve(container, SERVICE.streamer),
      queue: resolve(container, SERVICE.queue),
      runKeys: get('runKeys'),
      store: get('events'),
      resources: resourceCheck({ config, probe: () => get('probe'), logger: get('logger'), clock: get('clock') }),
      line: workflowLineCheck({ line, installation: config.name, marker: () => get('lineMarker') }),
    }),
  );
}

/**
 * `overrides` as createWorld takes them: keyed by port name (`{ clock }`) or by
 * the port's identifier (`{ [TOKENS.Clock]: clock }`).
 */
export function portOverrides(input: PortOverrides & { [id: symbol]: unknown }): PortOverrides {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    if (!(PORT_NAMES as string[]).includes(key)) throw new ConfigError(`overrides: unknown port "${key}" (ports: ${PORT_NAMES.join(', ')})`);
    out[key] = (input as Record<string, unknown>)[key];
  }
  for (const id of Object.getOwnPropertySymbols(input)) {
    const name = PORT_NAMES.find((n) => PORT[n] === id);
    if (!name) throw new ConfigError(`overrides: ${String(id)} is not a port's identifier (see TOKENS)`);
    out[name] = input[id];
  }
  return out as PortOverrides;
}
