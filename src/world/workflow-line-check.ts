// The installation serves this facade's Workflow line (domain/workflow-line.ts):
// claimed before this process consumes or sends its first message (start(),
// else the first queue()), once per world. A conflict is a ConfigError naming
// both lines. Skipped inside a Lambda function: deploy records the line of
// the app it bundles (cli/deploy), so a cold start costs no request for it.
import type { Queue } from '@workflow/world';
import { ConfigError } from '../config/config-error.js';
import { lineConflictMessage, type WorkflowLine } from '../domain/workflow-line.js';
import type { WorkflowLineMarker } from '../ports/workflow-line-marker.js';

export interface WorkflowLineCheck {
  /** Resolves once the installation is recorded as serving `line`; rejects with a ConfigError when it serves the other. */
  assert(): Promise<void>;
  /** `queue` that runs the check first. */
  guard(queue: Queue['queue']): Queue['queue'];
}

export function workflowLineCheck(deps: {
  line: WorkflowLine;
  installation: string;
  marker: () => WorkflowLineMarker;
  env?: Record<string, string | undefined>;
}): WorkflowLineCheck {
  const env = deps.env ?? process.env;
  let passed = Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
  let running: Promise<void> | undefined;
  const assert = async (): Promise<void> => {
    if (passed) return;
    running ??= (async () => {
      const served = await deps.marker().claim(deps.line);
      if (served !== deps.line) throw new ConfigError(lineConflictMessage(deps.installation, served, deps.line));
      passed = true;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  return {
    assert,
    guard: (queue) =>
      (async (...args: Parameters<Queue['queue']>) => {
        await assert();
        return queue(...args);
      }) as Queue['queue'],
  };
}
