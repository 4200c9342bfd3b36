// Variables that look like this package's but are no setting of it
// (`WORKFLOW_AWS_CONSUMMER`, `WORKFLOW_AWS_REGION`): ignored, they would
// change nothing without a word. Each is named with the nearest real one.
import { BUCKET_ENV, ENDPOINT_ENV, SETTINGS, TABLE_ENV } from './settings.js';
import { nearestKey, SPEC_ENV_ALIASES } from './spec-names.js';

type Env = Record<string, string | undefined>;

const PREFIX = 'WORKFLOW_AWS_';

/** Every variable the world reads. */
export function knownVariables(): string[] {
  return [
    ...Object.values(SETTINGS).flatMap((setting) => setting.env),
    ...Object.values(TABLE_ENV),
    BUCKET_ENV,
    ...Object.values(ENDPOINT_ENV),
    ...Object.keys(SPEC_ENV_ALIASES),
  ];
}

export interface UnknownVariable {
  variable: string;
  suggestion?: string;
}

/** The `WORKFLOW_AWS_*` variables of `env` that no setting reads, each with the likely intended one. */
export function unknownVariables(env: Env): UnknownVariable[] {
  const known = knownVariables();
  return Object.keys(env)
    .filter((variable) => variable.startsWith(PREFIX) && !known.includes(variable))
    .sort()
    .map((variable) => {
      // WORKFLOW_AWS_REGION: the SDK's own AWS_REGION.
      const unprefixed = variable.slice('WORKFLOW_'.length);
      const suggestion = known.includes(unprefixed) ? unprefixed : nearestKey(variable, known);
      return suggestion ? { variable, suggestion } : { variable };
    });
}

export function describeUnknownVariable({ variable, suggestion }: UnknownVariable): string {
  return `${variable} is not a setting of @workflow/world-aws and is ignored${suggestion ? `; did you mean ${suggestion}?` : ' (README, Configuration, lists them)'}`;
}
