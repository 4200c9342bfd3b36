// A queue configured by URL that lives in another region than the world's.
// Against `aws-workflow dev` nothing fails (the emulators ignore the region);
// on AWS the URL names another region's queue while everything else the world
// touches is looked up in its own region. The start-up probe reads each such
// queue's ARN; this names both regions and the variables that set them.
import { envName, SETTINGS } from '../config/settings.js';
import type { WorldConfig } from '../config/world-config.js';
import type { ProbeResult } from '../ports/resource-probe.js';

type Env = Record<string, string | undefined>;
type RegionConfig = Pick<WorldConfig, 'region' | 'workflowQueueUrl' | 'stepQueueUrl'>;

/** The warning for queues in another region than `config.region`, or undefined when there are none. */
export function regionMismatch(config: RegionConfig, results: ProbeResult[], env: Env, local: boolean): string | undefined {
  const foreign = results.filter((r) => r.kind === 'queue' && r.region !== undefined && r.region !== config.region);
  if (foreign.length === 0) return undefined;
  const queues = foreign.map((r) => `the ${r.role} queue ${r.name} (${queueVariable(r.role)}) is in ${r.region}`).join(', and ');
  const regions = [...new Set(foreign.map((r) => r.region!))];
  const fix =
    regions.length === 1
      ? `Set ${envName('region')}=${regions[0]}, or use ${config.region}'s queues`
      : `Use one region's queues and set ${envName('region')} to it`;
  const consequence = local
    ? 'The local AWS ignores the region, so nothing fails here, but the same settings on AWS would reach another region.'
    : `Everything else (tables, bucket, queues by name) is looked up in ${config.region}.`;
  const dev = local ? ` \`aws-workflow dev\` prints ${envName('region')} with its environment; a variable already set in your shell wins over a dotenv file.` : '';
  return `Region mismatch: ${queues}, but the world's region is ${config.region} (${regionSource(config.region, env)}). ${consequence} ${fix}.${dev}`;
}

function queueVariable(role: string): string {
  const key = role === 'step' ? 'stepQueueUrl' : 'workflowQueueUrl';
  return `${envName(key)}, createWorld: ${key}`;
}

/** Which variable (or option) gave the world its region. */
function regionSource(region: string, env: Env): string {
  for (const variable of SETTINGS.region.env) if (env[variable] === region) return `from ${variable}`;
  const set = SETTINGS.region.env.filter((variable) => env[variable]);
  if (set.length > 0) return `from createWorld's region option, over ${set.join(', ')}`;
  return region === SETTINGS.region.fallback('') ? `the default: ${SETTINGS.region.env.join(' and ')} are not set` : "from createWorld's region option";
}
