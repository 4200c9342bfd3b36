// `--workflow-line 4|5`: which facade the written environment names
// (WORKFLOW_TARGET_WORLD) and, for `dev --app-port`, which one consumes.
// Default: the line of the `workflow` package installed where the command
// runs, else 4.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import type { WorkflowLine } from '../domain/workflow-line.js';

export const workflowLineFlag = Flags.string({
  description: 'the Workflow SDK line of the app: 4 (workflow@4.x) or 5 (workflow@5 beta, the @workflow/world-aws/v5 facade); default: the installed `workflow` package\'s',
  options: ['4', '5'],
});

/** The major line of the `workflow` package `dir` resolves, if it is 4 or 5. */
export function installedWorkflowLine(dir: string = process.cwd()): WorkflowLine | undefined {
  try {
    // `workflow` exports no package.json; `workflow/api` lives in its dist/.
    const api = createRequire(join(resolve(dir), 'package.json')).resolve('workflow/api');
    const { version } = JSON.parse(readFileSync(join(dirname(api), '..', 'package.json'), 'utf8')) as { version?: string };
    const major = version?.split('.')[0];
    return major === '4' || major === '5' ? major : undefined;
  } catch {
    return undefined;
  }
}

export function workflowLineOf(flag: string | undefined, dir?: string): WorkflowLine {
  return flag === '4' || flag === '5' ? flag : (installedWorkflowLine(dir) ?? '4');
}
