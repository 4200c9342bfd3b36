// @workflow/world-aws: the AWS World for the Workflow SDK.
// `WORKFLOW_TARGET_WORLD=@workflow/world-aws` loads the default export.
import { createWorld } from './world/create-world.js';

export { createWorld };
export default createWorld;
export type { AwsWorld } from './world/assemble-world.js';
export type { CreateWorldOptions } from './world/create-world.js';
export { resolveWorldConfig, ConfigError, type WorldConfig, type WorldConfigInput } from './config/world-config.js';
export { TOKENS, type Ports, type PortOverrides } from './world/ports.js';
export { resetMemoryInstallations } from './world/memory-ports.js';
export type { EventStore } from './ports/event-store.js';
export type { BlobStore } from './ports/blob-store.js';
export type { MessageQueue } from './ports/message-queue.js';
export type { StreamStore } from './ports/stream-store.js';
export type { Clock } from './ports/clock.js';
export type { Logger } from './ports/logger.js';
