// The installation serves this facade's Workflow line (domain/workflow-line.ts):
// claimed before this process consumes or sends its first message (start(),
// else the first queue()), once per world. A conflict is a ConfigError naming
// both lines. Skipped inside a Lambda function: deploy records the line of
// the app it bundles (cli/deploy), so a cold start costs no request for it.
import { ConfigError } from '../config/config-error.js';
import { lineConflictMessage, type WorkflowLine } from '../domain/workflow-line.js';
import type { WorkflowLineMarker } from '../ports/workflow-line-marker.js';
import { runOnceGate, type RunOnceGate } from './run-once-gate.js';

/** `assert()` resolves once the installation is recorded as serving the line; rejects with a ConfigError when it serves the other. */
export type WorkflowLineCheck = RunOnceGate;

export function workflowLineCheck(deps: {
  line: WorkflowLine;
  installation: string;
  marker: () => WorkflowLineMarker;
  env?: Record<string, string | undefined>;
}): WorkflowLineCheck {
  const env = deps.env ?? process.env;
  return runOnceGate(
    async () => {
      const served = await deps.marker().claim(deps.line);
      if (served !== deps.line) throw new ConfigError(lineConflictMessage(deps.installation, served, deps.line));
    },
    { passed: Boolean(env.AWS_LAMBDA_FUNCTION_NAME) },
  );
}
