// The original specification's names for settings this package names
// differently. Each is an alias: it sets the same thing as the package's own
// name, two names that disagree are an error naming both, and an option key
// that is neither is an error suggesting the nearest known key (TypeScript
// only catches those in object literals).
import type { TableRole } from './resource-names.js';
import { ConfigError } from './config-error.js';
import { SETTINGS } from './settings.js';

/** createWorld() option names from the original spec. */
export interface SpecOptionAliases {
  /** Alias of `workflowQueueUrl`. */
  queueUrl?: string;
  /** Alias of `resources.tables.runs`. */
  runsTable?: string;
  /** Alias of `resources.tables.steps`. */
  stepsTable?: string;
  /** Alias of `resources.tables.events`. */
  eventsTable?: string;
  /** Alias of `resources.tables.hooks`. */
  hooksTable?: string;
  /** Alias of `resources.tables.streams`. */
  streamChunksTable?: string;
  /** Alias of `resources.bucket`. */
  streamBucket?: string;
}

type Env = Record<string, string | undefined>;

/** Spec environment variable → the package's own. */
export const SPEC_ENV_ALIASES: Readonly<Record<string, string>> = {
  WORKFLOW_AWS_STREAM_BUCKET: 'WORKFLOW_AWS_BUCKET',
};

const TABLE_OPTION_ALIASES: Readonly<Record<Exclude<keyof SpecOptionAliases, 'queueUrl' | 'streamBucket'>, TableRole>> = {
  runsTable: 'runs',
  stepsTable: 'steps',
  eventsTable: 'events',
  hooksTable: 'hooks',
  streamChunksTable: 'streams',
};

/** Every accepted top-level option key: the settings' own, the nested groups, the spec's aliases. */
const OPTION_KEYS: readonly string[] = [
  ...Object.keys(SETTINGS),
  'resources',
  'endpoints',
  ...(['queueUrl', 'runsTable', 'stepsTable', 'eventsTable', 'hooksTable', 'streamChunksTable', 'streamBucket'] satisfies (keyof SpecOptionAliases)[]),
];

/** Keys createWorld() accepts besides the config (see CreateWorldOptions). */
const WORLD_ONLY_KEYS = ['overrides'];

const NESTED_KEYS: Record<string, readonly string[]> = {
  resources: ['tables', 'workflowQueue', 'stepQueue', 'workflowDlq', 'stepDlq', 'bucket', 'lambdaFunction', 'lambdaRole'],
  'resources.tables': ['runs', 'steps', 'events', 'hooks', 'streams'],
  endpoints: ['dynamodb', 'sqs', 's3'],
};

/** Throws on an option key no setting has, naming the nearest known one. */
export function checkOptionKeys(input: object, extraKeys: readonly string[] = WORLD_ONLY_KEYS): void {
  checkKeys(input, [...OPTION_KEYS, ...extraKeys], 'createWorld');
  const resources = (input as OptionInput).resources;
  if (isObject(resources)) {
    checkKeys(resources, NESTED_KEYS.resources!, 'resources');
    if (isObject(resources.tables)) checkKeys(resources.tables, NESTED_KEYS['resources.tables']!, 'resources.tables');
  }
  const endpoints = (input as OptionInput).endpoints;
  if (isObject(endpoints)) checkKeys(endpoints, NESTED_KEYS.endpoints!, 'endpoints');
}

/** What alias folding reads of the options (world-config.ts has their full type). */
interface OptionInput extends SpecOptionAliases {
  workflowQueueUrl?: string;
  resources?: { bucket?: string; tables?: Partial<Record<TableRole, string>> };
  endpoints?: unknown;
}

/** The input with every spec alias folded into the package's own option. */
export function canonicalOptions<T extends OptionInput>(input: T): Omit<T, keyof SpecOptionAliases> {
  const { queueUrl, runsTable, stepsTable, eventsTable, hooksTable, streamChunksTable, streamBucket, ...rest } = input;
  const out: Omit<T, keyof SpecOptionAliases> & OptionInput = { ...rest };
  const workflowQueueUrl = agree('workflowQueueUrl', rest.workflowQueueUrl, 'queueUrl', queueUrl);
  if (workflowQueueUrl !== undefined) out.workflowQueueUrl = workflowQueueUrl;

  const aliased = { runsTable, stepsTable, eventsTable, hooksTable, streamChunksTable };
  const tables: Partial<Record<TableRole, string>> = { ...rest.resources?.tables };
  for (const [alias, role] of Object.entries(TABLE_OPTION_ALIASES) as [keyof typeof aliased, TableRole][]) {
    const value = agree(`resources.tables.${role}`, tables[role], alias, aliased[alias]);
    if (value !== undefined) tables[role] = value;
  }
  const bucket = agree('resources.bucket', rest.resources?.bucket, 'streamBucket', streamBucket);
  if (Object.keys(tables).length > 0 || bucket !== undefined) {
    out.resources = { ...rest.resources, ...(bucket !== undefined ? { bucket } : {}), ...(Object.keys(tables).length > 0 ? { tables } : {}) };
  }
  return out;
}

/** The environment with every spec variable copied to the package's own name. */
export function canonicalEnv(env: Env): Env {
  let out = env;
  for (const [specName, ownName] of Object.entries(SPEC_ENV_ALIASES)) {
    const value = agree(ownName, blankToUndefined(env[ownName]), specName, blankToUndefined(env[specName]));
    if (value !== undefined && env[ownName] !== value) out = { ...out, [ownName]: value };
  }
  return out;
}

function agree(ownName: string, own: string | undefined, specName: string, spec: string | undefined): string | undefined {
  if (own !== undefined && spec !== undefined && own !== spec) {
    throw new ConfigError(`${ownName} ("${own}") and ${specName} ("${spec}") name the same setting but disagree; set one of them`);
  }
  return own ?? spec;
}

/** Guesses from the package's variable names that edit distance would send elsewhere. */
const LIKELY_MEANT: Readonly<Record<string, string>> = { streamsTable: 'streamChunksTable', bucket: 'streamBucket', tables: 'resources' };

function checkKeys(object: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    const likely = where === 'createWorld' ? LIKELY_MEANT[key] : undefined;
    const nearest = likely ?? nearestKey(key, known);
    const prefix = where === 'createWorld' ? '' : `${where}.`;
    throw new ConfigError(
      `Unknown ${where === 'createWorld' ? 'createWorld option' : 'option'} "${prefix}${key}"` +
        (nearest ? `; did you mean "${prefix}${nearest}"?` : `; known: ${known.join(', ')}`),
    );
  }
}

/** The known key closest by edit distance (case-insensitive), if it is close enough to be a likely typo. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array);
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
