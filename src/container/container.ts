// Binds every port to an adapter for one world instance. The adapter set is
// the only thing that differs between production (aws) and fast tests (memory).
import 'reflect-metadata';
import { Container } from 'inversify';
import type { WorldConfig } from '../config/world-config.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { ConsoleLogger, parseLogLevel } from '../adapters/system/console-logger.js';
import { CryptoIdSource } from '../adapters/system/crypto-id-source.js';
import { HkdfRunKeySource } from '../adapters/system/hkdf-run-key-source.js';
import { bindAwsAdapters } from './aws-bindings.js';
import { bindMemoryAdapters } from './memory-bindings.js';
import { TOKENS } from './tokens.js';

export interface ContainerOverrides {
  /** Replace any binding, e.g. a ManualClock or a test logger. */
  [token: symbol]: unknown;
}

export function buildContainer(config: WorldConfig, overrides: ContainerOverrides = {}, env: Record<string, string | undefined> = process.env): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Clock).toConstantValue(new SystemClock());
  container.bind(TOKENS.IdSource).toConstantValue(new CryptoIdSource());
  container.bind(TOKENS.Logger).toConstantValue(new ConsoleLogger(parseLogLevel(env.WORKFLOW_AWS_LOG_LEVEL)));
  container.bind(TOKENS.RunKeySource).toConstantValue(new HkdfRunKeySource(config.encryptionKey, config.name));
  if (config.adapters === 'memory') bindMemoryAdapters(container, config);
  else bindAwsAdapters(container, config);
  for (const token of Object.getOwnPropertySymbols(overrides)) {
    container.rebind(token).toConstantValue(overrides[token]);
  }
  return container;
}
