// The one identity of an installation inside a process. An installation is
// its tables: the same event log at the same endpoint in the same region is
// one installation whatever a world calls it, and two apps' worlds on it must
// share what the process knows of it (process-scope.ts: projection log,
// snapshot cache, queue coordination, the memory adapters). The adapter set
// is part of it: a memory installation never shares state with an AWS one.
import type { WorldConfig } from './world-config.js';

export type InstallationConfig = Pick<WorldConfig, 'adapters' | 'region' | 'endpoints' | 'resources'>;

export function installationKey(config: InstallationConfig): string {
  return [config.adapters, config.region, config.endpoints.dynamodb ?? '', config.resources.tables.events].join('|');
}
