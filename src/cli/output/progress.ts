// Per-resource progress: operations report each resource as they settle it,
// commands decide how to show it (a line on stderr, or nothing under --json).

export type ResourceStatus = 'created' | 'present' | 'updated' | 'deleted' | 'absent';

export interface ResourceReport {
  /** table, queue, dlq, bucket, role, policy, function, event-source-mapping, ... */
  kind: string;
  name: string;
  status: ResourceStatus;
}

export type Progress = (report: ResourceReport) => void;

export const silentProgress: Progress = () => {};

/** Collects reports while forwarding them, so a command can return the full list. */
export function recording(forward: Progress): { progress: Progress; reports: ResourceReport[] } {
  const reports: ResourceReport[] = [];
  return {
    reports,
    progress: (report) => {
      reports.push(report);
      forward(report);
    },
  };
}

export function formatReport(report: ResourceReport): string {
  return `${report.status.padEnd(8)} ${report.kind.padEnd(21)} ${report.name}`;
}
