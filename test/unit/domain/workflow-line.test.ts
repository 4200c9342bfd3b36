import { isWorkflowLine, lineConflictMessage, WORKFLOW_LINES } from '../../../src/domain/workflow-line.js';

describe('workflow lines', () => {
  it('knows the lines 4 and 5 and nothing else', () => {
    expect(WORKFLOW_LINES).toEqual(['4', '5']);
    for (const line of WORKFLOW_LINES) expect(isWorkflowLine(line)).toBe(true);
    for (const other of ['3', '6', 4, 5, '', undefined, null, '4.8.9']) expect(isWorkflowLine(other)).toBe(false);
  });

  it('a conflict names the installation, both lines, why, and the ways out', () => {
    const message = lineConflictMessage('shop', '4', '5');
    expect(message).toContain('Installation "shop" serves the workflow@4 line; this app runs workflow@5.');
    expect(message).toContain('same workflow queue');
    expect(message).toContain('use another installation name for the workflow@5 app');
    expect(message).toContain('aws-workflow teardown');
  });
});
