// How commands show per-resource progress (the reports: infra/progress.ts).
import type { Progress, ResourceReport } from '../../infra/progress.js';

export type { Progress, ResourceReport, ResourceStatus } from '../../infra/progress.js';

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
