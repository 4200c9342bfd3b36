// WorkflowLineMarker in memory: one per in-memory installation (memory-ports.ts).
import type { WorkflowLine } from '../../domain/workflow-line.js';
import type { WorkflowLineMarker } from '../../ports/workflow-line-marker.js';

export class MemoryWorkflowLineMarker implements WorkflowLineMarker {
  private line: WorkflowLine | undefined;

  async claim(line: WorkflowLine): Promise<WorkflowLine> {
    this.line ??= line;
    return this.line;
  }

  async read(): Promise<WorkflowLine | undefined> {
    return this.line;
  }
}
