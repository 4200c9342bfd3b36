// The ports every adapter set shares: time, ids, logs and per-run keys.
import { ConsoleLogger } from '../adapters/system/console-logger.js';
import { CryptoIdSource } from '../adapters/system/crypto-id-source.js';
import { HkdfRunKeySource } from '../adapters/system/hkdf-run-key-source.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import type { WorldConfig } from '../config/world-config.js';
import type { PortFactories } from './ports.js';

export function systemPorts(config: WorldConfig): Pick<PortFactories, 'clock' | 'ids' | 'logger' | 'runKeys'> {
  return {
    clock: () => new SystemClock(),
    ids: () => new CryptoIdSource(),
    logger: () => new ConsoleLogger(config.logLevel),
    runKeys: () => new HkdfRunKeySource(config.encryptionKey, config.name),
  };
}
