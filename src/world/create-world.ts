import { resolveWorldConfig, type WorldConfigInput } from '../config/world-config.js';
import { buildContainer, type ContainerOverrides } from '../container/container.js';
import { assembleWorld, type AwsWorld } from './assemble-world.js';

export interface CreateWorldOptions extends WorldConfigInput {
  /** Replace port bindings (keys from TOKENS), e.g. a manual clock in tests. */
  overrides?: ContainerOverrides;
}

/**
 * Synchronous and cheap: the runtime calls it at import time, possibly
 * without credentials. Nothing connects until the world is used.
 */
export function createWorld(options: CreateWorldOptions = {}): AwsWorld {
  const { overrides, ...input } = options;
  const config = resolveWorldConfig(input);
  return assembleWorld(buildContainer(config, overrides));
}
