// Where an installation records the Workflow line it serves (domain/workflow-line.ts).
import type { WorkflowLine } from '../domain/workflow-line.js';

export interface WorkflowLineMarker {
  /** Records `line` unless a line is recorded already; resolves to the recorded line (either way). */
  claim(line: WorkflowLine): Promise<WorkflowLine>;
  /** The recorded line; undefined before any app used the installation. */
  read(): Promise<WorkflowLine | undefined>;
}
