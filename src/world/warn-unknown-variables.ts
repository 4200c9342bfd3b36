// The warning about WORKFLOW_AWS_* variables no setting reads
// (config/unknown-variables.ts): once per process, not per world instance
// (the runtime builds several), on the first world's logger.
import { describeUnknownVariable, unknownVariables } from '../config/unknown-variables.js';
import { token, type ProcessScope } from '../process-scope.js';
import type { PortResolver } from './ports.js';

const UNKNOWN_VARIABLES_WARNED = token<boolean>('unknown-variables-warned');

export function warnUnknownVariablesOnce(scope: ProcessScope, get: PortResolver, env: Record<string, string | undefined> = process.env): void {
  scope.shared(UNKNOWN_VARIABLES_WARNED, () => {
    const logger = get('logger');
    for (const unknown of unknownVariables(env)) logger.warn(describeUnknownVariable(unknown), { variable: unknown.variable });
    return true;
  });
}
