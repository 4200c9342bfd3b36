// Which Workflow SDK line an installation serves: 4 (workflow@4.x, the 4.x
// facade) or 5 (workflow@5, the 5 facade). One installation serves one line:
// both lines' apps consume the same workflow queue, and a message one line's
// runtime sent is not one the other's can run (5 has no step route, and its
// run-start, step and wait messages have other shapes), so a mixed
// installation would fail runs at random. The first app to use an
// installation records its line; an app of the other line is then refused.
export type WorkflowLine = '4' | '5';

export const WORKFLOW_LINES: readonly WorkflowLine[] = ['4', '5'];

export function isWorkflowLine(value: unknown): value is WorkflowLine {
  return typeof value === 'string' && (WORKFLOW_LINES as readonly string[]).includes(value);
}

/** The refusal when `wanted` meets an installation recorded for `served`, naming both and the ways out. */
export function lineConflictMessage(installation: string, served: WorkflowLine, wanted: WorkflowLine): string {
  return (
    `Installation "${installation}" serves the workflow@${served} line; this app runs workflow@${wanted}. ` +
    'One installation serves one line (both would consume the same workflow queue): ' +
    `use another installation name for the workflow@${wanted} app, or tear this one down first (aws-workflow teardown).`
  );
}
