// A call that cannot succeed until someone changes the configuration:
// credentials, region, endpoint or permissions. Adapters raise it with the
// cause and the fix; the consumer logs it once and backs off instead of
// retrying every second, and the start-up check names it.

export type AccessProblemKind = 'credentials' | 'denied' | 'unreachable' | 'region';

export interface AccessProblem {
  kind: AccessProblemKind;
  /** What failed, without payloads or secrets. */
  cause: string;
  /** What to change. */
  fix: string;
}

export class ServiceAccessError extends Error {
  override readonly name = 'ServiceAccessError';
  constructor(
    readonly problem: AccessProblem,
    options?: { cause?: unknown },
  ) {
    super(`${problem.cause}: ${problem.fix}`, options);
  }
}

/** The access problem an error carries (by name: a second copy of the package raises its own class). */
export function accessProblemOf(error: unknown): AccessProblem | undefined {
  const e = error as { name?: unknown; problem?: AccessProblem } | undefined;
  return e?.name === 'ServiceAccessError' && e.problem ? e.problem : undefined;
}
