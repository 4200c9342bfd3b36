// The worker's tunables (memory, timeout, architecture, the mappings' batch
// size and maximum concurrency): flags on deploy, remembered in the out
// directory so the next deploy keeps them without repeating the flags.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { QUEUES } from '../../adapters/aws/resources.js';
import { CliFailure } from '../errors.js';
import { EVENT_SOURCE_BATCH_SIZE, LAMBDA_MEMORY_MB, LAMBDA_TIMEOUT_SECONDS } from '../../infra/lambda/settings.js';

export type Architecture = 'arm64' | 'x86_64';

export interface FunctionSettings {
  memoryMb: number;
  timeoutSeconds: number;
  /** arm64 by default: the bundle is plain JavaScript, and Graviton costs less per GB-second. */
  architecture: Architecture;
  batchSize: number;
  /** Lambda's per-mapping cap on concurrent invocations (2–1000); undefined leaves it unset. */
  maxConcurrency?: number;
}

export const DEFAULT_SETTINGS: FunctionSettings = {
  memoryMb: LAMBDA_MEMORY_MB,
  timeoutSeconds: LAMBDA_TIMEOUT_SECONDS,
  architecture: 'arm64',
  batchSize: EVENT_SOURCE_BATCH_SIZE,
};

/** Lambda's and SQS's limits; checked before anything is built. */
export function validateSettings(s: FunctionSettings): FunctionSettings {
  const fail = (message: string) => {
    throw new CliFailure(message, 2);
  };
  if (!Number.isInteger(s.memoryMb) || s.memoryMb < 128 || s.memoryMb > 10_240) fail(`--memory must be 128–10240 MB; got ${s.memoryMb}`);
  const maxTimeout = Math.min(900, QUEUES.visibilityTimeoutSeconds);
  // SQS event sources need the queue's visibility timeout at or above the function's timeout.
  if (!Number.isInteger(s.timeoutSeconds) || s.timeoutSeconds < 1 || s.timeoutSeconds > maxTimeout) fail(`--timeout must be 1–${maxTimeout} s; got ${s.timeoutSeconds}`);
  // Above 10 an SQS mapping needs a batching window, which delays every message: not offered.
  if (!Number.isInteger(s.batchSize) || s.batchSize < 1 || s.batchSize > 10) fail(`--batch-size must be 1–10; got ${s.batchSize}`);
  if (s.maxConcurrency !== undefined && (!Number.isInteger(s.maxConcurrency) || s.maxConcurrency < 2 || s.maxConcurrency > 1000)) {
    fail(`--max-concurrency must be 2–1000 (Lambda's limits for SQS mappings); got ${s.maxConcurrency}`);
  }
  return s;
}

export function settingsPath(outDir: string): string {
  return join(outDir, 'function-settings.json');
}

export async function readStoredSettings(outDir: string): Promise<Partial<FunctionSettings>> {
  try {
    return JSON.parse(await readFile(settingsPath(outDir), 'utf8')) as Partial<FunctionSettings>;
  } catch {
    return {};
  }
}

export async function storeSettings(outDir: string, settings: FunctionSettings): Promise<void> {
  await mkdir(dirname(settingsPath(outDir)), { recursive: true });
  await writeFile(settingsPath(outDir), `${JSON.stringify(settings, null, 2)}\n`);
}

/** Flags over stored values over defaults. */
export function mergeSettings(stored: Partial<FunctionSettings>, flags: Partial<FunctionSettings>): FunctionSettings {
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<FunctionSettings>;
  return validateSettings({ ...DEFAULT_SETTINGS, ...defined(stored), ...defined(flags) });
}
