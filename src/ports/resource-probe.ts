// Whether the resources an installation is configured with exist and answer:
// one cheap call each, so start-up can name a missing table, queue or bucket
// instead of failing later on the first request that needs it.
import type { AccessProblem } from './service-access.js';

export type ProbedKind = 'table' | 'queue' | 'bucket';

export interface ProbeResult {
  kind: ProbedKind;
  /** The resource's part in the installation: a table role, a queue channel, or `payloads`. */
  role: string;
  /** Table or bucket name, queue name or URL. */
  name: string;
  /** ok; missing (the service says it does not exist); mismatch (it exists, but not as the world needs it); access (credentials, permission, endpoint, region); failed (anything else). */
  status: 'ok' | 'missing' | 'mismatch' | 'access' | 'failed';
  access?: AccessProblem;
  /** For mismatch and failed: what the service answered (no payloads or secrets). */
  detail?: string;
  /** The region the resource lives in, when its answer says so (a queue's ARN). */
  region?: string;
}

export interface ResourceProbe {
  /** Every configured resource, probed in parallel; never throws for a resource's failure. */
  probe(): Promise<ProbeResult[]>;
}
