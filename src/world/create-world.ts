import { resolveWorldConfig, type WorldConfigInput } from '../config/world-config.js';
import { processScope } from '../process-scope.js';
import type { AwsWorld } from './assemble-world.js';
import { compose, portOverrides } from './compose.js';
import type { PortOverrides } from './ports.js';

export interface CreateWorldOptions extends WorldConfigInput {
  /**
   * Replace ports, by name (`{ clock: new ManualClock(0) }`) or by identifier
   * (`{ [TOKENS.Clock]: … }`); a function receives the port it replaces.
   */
  overrides?: PortOverrides & { [id: symbol]: unknown };
}

/**
 * Synchronous and cheap: the runtime calls it at import time, possibly
 * without credentials. Nothing connects until the world is used.
 */
export function createWorld(options: CreateWorldOptions = {}): AwsWorld {
  const { overrides, ...input } = options;
  const config = resolveWorldConfig(input);
  return compose(config, processScope(), portOverrides(overrides ?? {}));
}
