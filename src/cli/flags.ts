// Flags every command shares. Environment fallbacks match what the world
// itself reads, so `set -a; . ./.env.aws` configures the CLI too.
import { Errors, Flags } from '@oclif/core';
import { bucketNameProblem, installationNameProblem } from '../infra/provisioning/names.js';
import { DEFAULT_MAX_RECEIVE_COUNT, SETTINGS } from '../config/settings.js';

/** Lowercase, digits and hyphens: valid in every resource name (the bucket is the strictest). */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;

export const sharedFlags = {
  name: Flags.string({
    description: 'installation name (stage): prefix of every resource, so several installs fit one account and region',
    env: 'WORKFLOW_AWS_NAME',
    default: 'workflow',
    parse: async (value) => {
      const problem = installationNameProblem(value);
      if (problem || !NAME_PATTERN.test(value)) {
        // A CLIError keeps oclif's usage-error handling (exit 2, the hint to --help).
        throw new Errors.CLIError(`--name "${value}" ${problem ?? 'must be 2-40 characters of a-z, 0-9 and "-", starting with a letter'}`);
      }
      return value;
    },
  }),
  region: Flags.string({ description: 'AWS region (default: AWS_REGION, then the profile\'s region)' }),
  profile: Flags.string({ description: 'AWS shared-config profile (default: AWS_PROFILE)' }),
  'endpoint-url': Flags.string({ description: 'send every AWS call to this endpoint (a local AWS emulator)' }),
  local: Flags.boolean({
    description: 'use the running `aws-workflow dev` (found by --name; no ports to copy). Lambda and IAM are skipped there',
    default: false,
  }),
  bucket: Flags.string({
    description: 'payload bucket name, instead of the default (unique per account and region, see docs/cli.md)',
    env: 'WORKFLOW_AWS_BUCKET',
    parse: async (value) => {
      const problem = bucketNameProblem(value);
      if (problem) throw new Errors.CLIError(`--bucket "${value}" ${problem}`);
      return value;
    },
  }),
  yes: Flags.boolean({ char: 'y', description: 'answer yes to confirmations', default: false }),
  debug: Flags.boolean({ description: 'show the stack trace of a failure', default: false }),
};

/**
 * The queues' redrive policy, from the same variable the world reads, so
 * `set -a; . ./.env.aws` and the app agree. bootstrap and dev set it (also on
 * existing queues); status reports a queue that differs.
 */
export const maxReceiveCountFlag = Flags.integer({
  description: 'deliveries before SQS moves a message to its DLQ (the redrive policy of both queues)',
  env: SETTINGS.maxReceiveCount.env[0],
  default: DEFAULT_MAX_RECEIVE_COUNT,
  parse: async (value) => {
    try {
      return SETTINGS.maxReceiveCount.fromEnv(value, '--max-receive-count');
    } catch (error) {
      throw new Errors.CLIError((error as Error).message);
    }
  },
});
