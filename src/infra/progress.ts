// Per-resource progress: infrastructure operations report each resource as
// they settle it; the CLI decides how to show it (a line on stderr, or nothing
// under --json).

/**
 * created: did not exist and was made; present: existed as wanted, untouched;
 * updated: existed, a missing setting (TTL, point-in-time recovery) was added;
 * deleted / absent: teardown removed it / found nothing to remove.
 */
export type ResourceStatus = 'created' | 'present' | 'updated' | 'deleted' | 'absent';

export interface ResourceReport<Kind extends string = string> {
  /** table, queue, dlq, bucket, role, policy, function, event-source-mapping, ... */
  kind: Kind;
  name: string;
  status: ResourceStatus;
}

export type Progress = (report: ResourceReport) => void;
