// Every setting of a world, declared once: its createWorld option, the
// environment variables it is read from, its default, range and meaning. From
// this table come the environment parsing and the option checks
// (world-config.ts), the accepted option keys (spec-names.ts), `.env.aws` and
// `dev`'s environment (cli/output/world-env.ts) and the README's configuration
// table (test/unit/config/settings.test.ts fails when it drifts).
// Adding a setting: one entry here, one README row.
import { ConfigError } from './config-error.js';
import { TABLE_ROLES, type TableRole } from './resource-names.js';

type Env = Record<string, string | undefined>;

export interface Setting<T> {
  /** Environment variables, read in order; the first is the one this package writes. */
  env: readonly string[];
  /** The README's Default cell. */
  defaultText: string;
  meaning: string;
  /** The value from the environment (undefined: not set), checked like an option. */
  fromEnv(raw: string, variable: string): T;
  /** An option passed in code, checked against the same range as its variable. */
  check(value: unknown, option: string): T;
  /** The value when neither is given; `name` is the installation name. */
  fallback(name: string): T;
  /** Listed, commented out with its default (or this example), in `.env.aws`. */
  tunable?: boolean;
  example?: string;
}

type Doc = { env: string | readonly string[]; defaultText?: string; meaning: string; tunable?: boolean; example?: string };

const envList = (env: string | readonly string[]) => (typeof env === 'string' ? [env] : env);
const show = (value: unknown) => (typeof value === 'string' ? `"${value}"` : String(value));

function int(doc: Doc & { default: number; min: number; max: number }): Setting<number> {
  const inRange = (n: number) => Number.isInteger(n) && n >= doc.min && n <= doc.max;
  const refuse = (what: string, got: string) => new ConfigError(`${what} must be an integer from ${doc.min} to ${doc.max}; got ${got}`);
  const check = (value: unknown, what: string): number => {
    if (typeof value !== 'number' || !inRange(value)) throw refuse(what, show(value));
    return value;
  };
  return {
    env: envList(doc.env),
    defaultText: doc.defaultText ?? `\`${doc.default}\``,
    meaning: doc.meaning,
    tunable: doc.tunable ?? true,
    example: doc.example,
    check,
    fromEnv: (raw, variable) => {
      const n = Number(raw);
      if (!inRange(n)) throw refuse(variable, `"${raw}"`);
      return n;
    },
    fallback: () => doc.default,
  };
}

function optionalInt(doc: Doc & { min: number; max: number }): Setting<number | undefined> {
  const required = int({ ...doc, default: 0, tunable: false });
  return { ...required, defaultText: doc.defaultText ?? '—', tunable: doc.tunable ?? false, example: doc.example, fallback: () => undefined };
}

function flag(doc: Doc & { default: boolean }): Setting<boolean> {
  return {
    env: envList(doc.env),
    defaultText: doc.defaultText ?? `\`${doc.default}\``,
    meaning: doc.meaning,
    tunable: doc.tunable,
    check: (value, what) => {
      if (typeof value !== 'boolean') throw new ConfigError(`${what} must be true or false; got ${show(value)}`);
      return value;
    },
    fromEnv: (raw, variable) => {
      if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
      if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
      throw new ConfigError(`${variable} must be 1/0 or true/false; got "${raw}"`);
    },
    fallback: () => doc.default,
  };
}

function oneOf<const T extends string>(values: readonly T[], doc: Doc & { default: T; caseInsensitive?: boolean }): Setting<T> {
  const check = (value: unknown, what: string): T => {
    const v = doc.caseInsensitive && typeof value === 'string' ? value.toLowerCase() : value;
    if (!(values as readonly unknown[]).includes(v)) throw new ConfigError(`${what} must be one of ${values.join(', ')}; got ${show(value)}`);
    return v as T;
  };
  return {
    env: envList(doc.env),
    defaultText: doc.defaultText ?? `\`${doc.default}\``,
    meaning: doc.meaning,
    tunable: doc.tunable,
    check,
    fromEnv: (raw, variable) => check(raw, variable),
    fallback: () => doc.default,
  };
}

function text<T extends string | undefined>(doc: Doc & { fallback: (name: string) => T }): Setting<T> {
  const check = (value: unknown, what: string): T => {
    if (typeof value !== 'string') throw new ConfigError(`${what} must be a string; got ${show(value)}`);
    return value as T;
  };
  return {
    env: envList(doc.env),
    defaultText: doc.defaultText ?? '—',
    meaning: doc.meaning,
    tunable: doc.tunable,
    example: doc.example,
    check,
    fromEnv: (raw, variable) => check(raw, variable),
    fallback: doc.fallback,
  };
}

/** HMAC-SHA256's output size: a shorter key is weaker than the tag it makes. */
export const MIN_SIGNING_SECRET_BYTES = 32;

function signingSecret(doc: Doc): Setting<string | undefined> {
  const check = (value: unknown, what: string): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new ConfigError(`${what} must be a string; got ${show(value)}`);
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes < MIN_SIGNING_SECRET_BYTES) {
      // The value itself is never echoed.
      throw new ConfigError(
        `${what} must be at least ${MIN_SIGNING_SECRET_BYTES} bytes; got ${bytes}. Anyone who captures one signed delivery can test guesses of a short secret offline, ` +
          'and with it forge deliveries to your workflow routes. Generate one with `openssl rand -hex 32` and set the same value on every process',
      );
    }
    return value;
  };
  return { env: envList(doc.env), defaultText: doc.defaultText ?? '—', meaning: doc.meaning, check, fromEnv: (raw, v) => check(raw, v), fallback: () => undefined };
}

function masterKey(doc: Doc): Setting<Uint8Array | undefined> {
  const check = (value: unknown, what: string): Uint8Array | undefined => {
    if (value === undefined || value === '') return undefined;
    const key = typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'base64')) : value;
    if (!(key instanceof Uint8Array)) throw new ConfigError(`${what} must be 32 bytes, raw or base64`);
    if (key.byteLength !== 32) throw new ConfigError(`WORKFLOW_AWS_ENCRYPTION_KEY must be 32 bytes (base64); got ${key.byteLength} bytes`);
    return key;
  };
  return { env: envList(doc.env), defaultText: doc.defaultText ?? '—', meaning: doc.meaning, check, fromEnv: (raw, v) => check(raw, v), fallback: () => undefined };
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type AdapterSet = 'aws' | 'memory';
/** Who consumes the queues: this process, AWS Lambda (event-source mapping), or nobody (producer only). */
export type ConsumerMode = 'process' | 'lambda' | 'none';
/** How a consumed message reaches the app's flow/step handlers. */
export type DeliveryMode = 'http' | 'in-process';

/** Runtime's own limit is 48 deliveries; SQS moves a message to the DLQ after this many. */
export const DEFAULT_MAX_RECEIVE_COUNT = 50;

/** The scalar settings, in the README's order. */
export const SETTINGS = {
  adapters: oneOf(['aws', 'memory'], { env: 'WORKFLOW_AWS_ADAPTERS', default: 'aws', meaning: '`aws` or `memory`' }),
  name: text<string>({ env: 'WORKFLOW_AWS_NAME', defaultText: '`workflow`', fallback: () => 'workflow', meaning: 'installation name, prefix of every resource name' }),
  region: text<string>({ env: ['AWS_REGION', 'AWS_DEFAULT_REGION'], defaultText: '`us-east-1`', fallback: () => 'us-east-1', meaning: 'AWS region' }),
  workflowQueueUrl: text({
    env: 'WORKFLOW_AWS_WORKFLOW_QUEUE_URL',
    defaultText: 'looked up from `<name>-workflow`',
    fallback: (): string | undefined => undefined,
    meaning: 'workflow queue',
  }),
  stepQueueUrl: text({
    env: 'WORKFLOW_AWS_STEP_QUEUE_URL',
    defaultText: 'looked up from `<name>-step`',
    fallback: (): string | undefined => undefined,
    meaning: 'step queue',
  }),
  s3ForcePathStyle: flag({ env: 'WORKFLOW_AWS_S3_FORCE_PATH_STYLE', default: false, meaning: 'path-style S3 URLs (local endpoints)' }),
  deploymentId: text<string>({
    env: 'WORKFLOW_AWS_DEPLOYMENT_ID',
    defaultText: '`aws:<name>`',
    fallback: (name) => `aws:${name}`,
    meaning: 'what `getDeploymentId()` returns',
    tunable: true,
  }),
  consumer: oneOf(['process', 'lambda', 'none'], { env: 'WORKFLOW_AWS_CONSUMER', default: 'process', meaning: '`process`, `lambda` or `none` (produce only)' }),
  delivery: oneOf(['http', 'in-process'], { env: 'WORKFLOW_AWS_DELIVERY', default: 'http', meaning: '`http` or `in-process`', tunable: true }),
  baseUrl: text({
    env: 'WORKFLOW_AWS_BASE_URL',
    defaultText: '`http://127.0.0.1:$PORT`, else `WORKFLOW_LOCAL_BASE_URL`',
    fallback: (): string | undefined => undefined,
    meaning:
      'app serving `/.well-known/workflow/v1/*`; looked up in this order: this variable, `PORT` (on 127.0.0.1), `WORKFLOW_LOCAL_BASE_URL` (what world-local and world-postgres read)',
    tunable: true,
    example: 'http://127.0.0.1:3000',
  }),
  port: optionalInt({ env: 'PORT', min: 0, max: Number.MAX_SAFE_INTEGER, meaning: 'app port, when no base URL is given' }),
  signingSecret: signingSecret({
    env: 'WORKFLOW_AWS_SIGNING_SECRET',
    meaning:
      'HMAC secret for HTTP deliveries, at least 32 bytes, the same in every process (unset: deliveries are signed with a key private to this process, so the consumer must deliver to its own process on loopback; `start()` refuses a non-loopback base URL)',
  }),
  allowPlainHttp: flag({
    env: 'WORKFLOW_AWS_ALLOW_PLAIN_HTTP',
    default: false,
    meaning:
      'deliver over plain `http://` to a host other than loopback, on a private network you trust (signing proves who sent a delivery but does not hide its payload; off: such a base URL must be `https://`)',
  }),
  maxDeliveryBodyBytes: int({
    env: 'WORKFLOW_AWS_MAX_DELIVERY_BYTES',
    default: 1024 * 1024 + 64 * 1024,
    min: 1024,
    max: 64 * 1024 * 1024,
    meaning: 'largest HTTP delivery body the workflow routes accept (1 MiB, SQS\'s largest message, + 64 KiB); larger ones get 413 without being read',
  }),
  concurrency: int({ env: 'WORKFLOW_AWS_CONCURRENCY', default: 10, min: 1, max: 1000, meaning: 'messages handled at once by the in-process consumer' }),
  inlineBacklog: int({
    env: 'WORKFLOW_AWS_INLINE_BACKLOG',
    default: 4,
    min: 0,
    max: 100,
    meaning:
      'steps created in a process that wait there for a free slot, per slot of `WORKFLOW_AWS_CONCURRENCY`, rather than travel through SQS (a send, a receive, a delete and a second write each); steps beyond it are sent and spread over consumers. Not on Lambda',
  }),
  pollWaitSeconds: int({
    env: 'WORKFLOW_AWS_POLL_WAIT_SECONDS',
    default: 1,
    min: 1,
    max: 20,
    meaning:
      "the in-process consumer's long-poll wait. `close()` lets a poll end by itself (SQS may hand an aborted poll messages, which then stay hidden for 5 s), so it takes up to this long; a longer wait costs fewer empty receives while idle (two per wait)",
  }),
  maxDelaySeconds: int({ env: 'WORKFLOW_AWS_MAX_DELAY_SECONDS', default: 900, min: 1, max: 900, meaning: 'longest single queue hop; longer delays are chained' }),
  maxReceiveCount: int({
    env: 'WORKFLOW_AWS_MAX_RECEIVE_COUNT',
    default: DEFAULT_MAX_RECEIVE_COUNT,
    min: 1,
    max: 1000,
    meaning:
      "deliveries before SQS moves a message to the DLQ; above the runtime's own 48, so the runtime fails the run first. `bootstrap` and `dev` put it in the queues' redrive policy (existing queues too)",
  }),
  retryBaseSeconds: int({ env: 'WORKFLOW_AWS_RETRY_BASE_SECONDS', default: 1, min: 0, max: 900, meaning: 'backoff base for failed deliveries' }),
  retryMaxSeconds: int({ env: 'WORKFLOW_AWS_RETRY_MAX_SECONDS', default: 900, min: 0, max: 43200, meaning: 'backoff cap' }),
  visibilitySeconds: int({ env: 'WORKFLOW_AWS_VISIBILITY_SECONDS', default: 60, min: 1, max: 43200, meaning: 'lease per delivery, extended while a handler runs' }),
  maxHandlerSeconds: int({
    env: 'WORKFLOW_AWS_MAX_HANDLER_SECONDS',
    default: 900,
    min: 1,
    max: 43200,
    meaning:
      'a delivery still running after this is presumed hung: its lease stops being extended and the message is redelivered (like a Lambda timeout)',
  }),
  maxMessageBytes: int({ env: 'WORKFLOW_AWS_MAX_MESSAGE_BYTES', default: 256 * 1024, min: 1024, max: 1024 * 1024, meaning: 'larger queue messages go to S3' }),
  maxInlinePayloadBytes: int({
    env: 'WORKFLOW_AWS_MAX_INLINE_BYTES',
    default: 64 * 1024,
    min: 0,
    max: 350 * 1024,
    meaning: 'larger payload fields and stream chunks go to S3',
  }),
  runRetentionDays: optionalInt({
    env: 'WORKFLOW_AWS_RUN_RETENTION_DAYS',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    defaultText: 'keep forever',
    meaning: 'DynamoDB TTL on terminal runs',
    tunable: true,
    example: '30',
  }),
  idempotencyWindowSeconds: int({
    env: 'WORKFLOW_AWS_IDEMPOTENCY_WINDOW_SECONDS',
    default: 3600,
    min: 0,
    max: 7 * 86400,
    meaning: 'window in which a repeated `idempotencyKey` is not run again',
  }),
  encryptionKey: masterKey({
    env: 'WORKFLOW_AWS_ENCRYPTION_KEY',
    defaultText: '— (unencrypted)',
    meaning: "base64 32-byte master key; each run's payloads are encrypted by the runtime with an HKDF-derived per-run key",
  }),
  encryptionKeyParameter: text({
    env: 'WORKFLOW_AWS_ENCRYPTION_KEY_PARAMETER',
    fallback: (): string | undefined => undefined,
    defaultText: '—',
    meaning:
      'name of an SSM SecureString parameter holding the base64 master key, read once per process on first use (`bootstrap` writes it and gives the worker function this name, never the key); `WORKFLOW_AWS_ENCRYPTION_KEY` wins when both are set',
  }),
  preconditionGuard: flag({ env: 'WORKFLOW_PRECONDITION_GUARD', default: true, meaning: "the runtime's 412 stale-replay guard", tunable: true }),
  v5SpecVersion: int({
    env: 'WORKFLOW_AWS_V5_SPEC_VERSION',
    default: 6,
    min: 5,
    max: 7,
    meaning:
      'workflow@5 facade only: the spec version it declares. 6: slot event ids (the workflow@5.0.0-beta.55 runtime accepts 6 and 7); 7: sealed log (this world fills every slot at its commit, so it writes no `noop`); 5: what the workflow@5.0.0-beta.35 runtime requires, exactly',
  }),
  logLevel: oneOf(LOG_LEVELS, {
    env: 'WORKFLOW_AWS_LOG_LEVEL',
    default: 'warn',
    caseInsensitive: true,
    meaning: '`debug`, `info`, `warn`, `error`, `silent` (JSON lines on stderr)',
    tunable: true,
  }),
};

export type SettingName = keyof typeof SETTINGS;
type Values = { [K in SettingName]: (typeof SETTINGS)[K] extends Setting<infer T> ? T : never };
type UnsetKeys = { [K in SettingName]: undefined extends Values[K] ? K : never }[SettingName];
/** Each setting's value; those without a default are optional. */
export type SettingValues = { [K in Exclude<SettingName, UnsetKeys>]: Values[K] } & { [K in UnsetKeys]?: Exclude<Values[K], undefined> };

/** Table names: one variable per role. */
export const TABLE_ENV: Readonly<Record<TableRole, string>> = {
  runs: 'WORKFLOW_AWS_RUNS_TABLE',
  steps: 'WORKFLOW_AWS_STEPS_TABLE',
  events: 'WORKFLOW_AWS_EVENTS_TABLE',
  hooks: 'WORKFLOW_AWS_HOOKS_TABLE',
  streams: 'WORKFLOW_AWS_STREAMS_TABLE',
};
export const BUCKET_ENV = 'WORKFLOW_AWS_BUCKET';
/** Per service, then the SDK's variable for every service. */
export const ENDPOINT_ENV = { dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB', sqs: 'AWS_ENDPOINT_URL_SQS', s3: 'AWS_ENDPOINT_URL_S3', all: 'AWS_ENDPOINT_URL' } as const;

/** One setting's value: the option if given, else its first set variable, else its default; every source checked. */
export function settingValue<K extends SettingName>(key: K, option: unknown, env: Env, name: string): Values[K] {
  const setting = SETTINGS[key] as unknown as Setting<Values[K]>;
  if (option !== undefined) return setting.check(option, key);
  for (const variable of setting.env) {
    const raw = env[variable];
    if (raw !== undefined && raw !== '') return setting.fromEnv(raw, variable);
  }
  return setting.fallback(name);
}

/** `.env.aws`'s commented-out settings: each tunable's variable with its default for installation `name`, or an example. */
export function tunableDefaults(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const setting of Object.values(SETTINGS) as Setting<unknown>[]) {
    if (!setting.tunable) continue;
    const value = setting.example ?? setting.fallback(name);
    out[setting.env[0]!] = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  }
  return out;
}

/** The variable each setting is written as (its first). */
export function envName(key: SettingName): string {
  return SETTINGS[key].env[0]!;
}

/** The README's configuration table rows, in order: option, variables, default, meaning. */
export function readmeRows(): string[][] {
  const code = (s: string) => `\`${s}\``;
  const row = (key: string, setting: Setting<unknown>) => [code(key), setting.env.map(code).join(', '), setting.defaultText, setting.meaning];
  const rows = Object.entries(SETTINGS).map(([key, setting]) => row(key, setting as Setting<unknown>));
  const compound = [
    [
      code('resources.tables.*'),
      TABLE_ROLES.map((role) => code(TABLE_ENV[role])).join(', '),
      '`<name>-runs` … `<name>-streams`',
      'table names',
    ],
    [
      code('resources.bucket'),
      code(BUCKET_ENV),
      '`<name>-payloads`',
      'S3 bucket for large payloads and stream chunks. On real AWS `bootstrap` names it `<name>-<account>-<region>` ([docs/cli.md](docs/cli.md#the-payload-bucket-name)), which the world cannot derive without a network call: set this variable (`.env.aws` and the Lambda function have it)',
    ],
    [
      '`endpoints.dynamodb`/`sqs`/`s3`',
      [ENDPOINT_ENV.dynamodb, ENDPOINT_ENV.sqs, ENDPOINT_ENV.s3, ENDPOINT_ENV.all].map(code).join(', '),
      'AWS',
      'endpoint overrides (the embedded local AWS)',
    ],
  ];
  // The README lists resources and endpoints after the region, where the options group them.
  const at = rows.findIndex((r) => r[0] === code('workflowQueueUrl'));
  rows.splice(at, 0, compound[0]!, compound[1]!);
  const after = rows.findIndex((r) => r[0] === code('s3ForcePathStyle'));
  rows.splice(after, 0, compound[2]!);
  return rows;
}
