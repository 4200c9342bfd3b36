// Configuration of one world instance: each setting of settings.ts from its
// createWorld option, else its environment variable, else its default, every
// source checked against the same range. createWorld() with no arguments reads
// the environment only.
import { ConfigError } from './config-error.js';
import { resourceNames, type ResourceNames } from './resource-names.js';
import { BUCKET_ENV, ENDPOINT_ENV, SETTINGS, settingValue, TABLE_ENV, type SettingName, type SettingValues } from './settings.js';
import { canonicalEnv, canonicalOptions, checkOptionKeys, type SpecOptionAliases } from './spec-names.js';

export { ConfigError };
export type { AdapterSet, ConsumerMode, DeliveryMode, LogLevel } from './settings.js';

export type WorldConfig = SettingValues & {
  resources: ResourceNames;
  /** Endpoint overrides for the embedded local AWS; the SDK also reads AWS_ENDPOINT_URL*. */
  endpoints: { dynamodb?: string; sqs?: string; s3?: string };
};

export type WorldConfigInput = Partial<Omit<SettingValues, 'encryptionKey'>> & {
  /** 32 bytes, raw or base64. */
  encryptionKey?: Uint8Array | string;
  resources?: Partial<Omit<ResourceNames, 'tables'>> & { tables?: Partial<ResourceNames['tables']> };
  endpoints?: WorldConfig['endpoints'];
} & SpecOptionAliases;

type Env = Record<string, string | undefined>;

/** Builds the config from environment variables, then applies explicit overrides. */
export function resolveWorldConfig(options: WorldConfigInput = {}, rawEnv: Env = process.env): WorldConfig {
  // The original spec's names are aliases (src/config/spec-names.ts).
  checkOptionKeys(options);
  const input = canonicalOptions(options) as Record<string, unknown> & WorldConfigInput;
  const env = canonicalEnv(rawEnv);
  const name = settingValue('name', input.name, env, '');
  const values = Object.fromEntries(
    (Object.keys(SETTINGS) as SettingName[]).map((key) => [key, settingValue(key, input[key], env, name)]),
  ) as SettingValues;
  const defaults = resourceNames(name);
  const tables = { ...defaults.tables };
  for (const role of Object.keys(tables) as (keyof typeof tables)[]) tables[role] = nonEmpty(env[TABLE_ENV[role]]) ?? tables[role];
  return {
    ...values,
    resources: { ...defaults, bucket: nonEmpty(env[BUCKET_ENV]) ?? defaults.bucket, ...input.resources, tables: { ...tables, ...input.resources?.tables } },
    endpoints: {
      dynamodb: env[ENDPOINT_ENV.dynamodb] ?? env[ENDPOINT_ENV.all],
      sqs: env[ENDPOINT_ENV.sqs] ?? env[ENDPOINT_ENV.all],
      s3: env[ENDPOINT_ENV.s3] ?? env[ENDPOINT_ENV.all],
      ...input.endpoints,
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
