// Maps a failed TransactWriteItems to the port's vocabulary. DynamoDB reports
// one cancellation reason per action, by request index; `roles` says what each
// action was, so the caller learns whether the run moved on, a token is held,
// or another entity guard failed.
import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import type { WorkflowError } from '@workflow/errors';
import { WorkflowWorldError } from '@workflow/errors';
import { CommitConflict } from '../../../ports/event-store.js';
import { awsErrorName, throttled, toWorldError } from '../aws-errors.js';
import type { ActionRole } from './commit-transaction.js';

const OPERATION = 'DynamoDB.TransactWriteItems';
const THROTTLE_CODES = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);
const CONFLICT_PRIORITY: Record<CommitConflict['reason'], number> = { run: 3, token: 2, entity: 1 };

const reasonFor = (role: ActionRole | undefined): CommitConflict['reason'] =>
  role === 'head' ? 'run' : role === 'token' ? 'token' : 'entity';

export function commitFailure(error: unknown, roles: readonly ActionRole[]): CommitConflict | WorkflowError {
  if (awsErrorName(error) !== 'TransactionCanceledException') return toWorldError(error, OPERATION);
  const reasons: CancellationReason[] = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  let conflict: CommitConflict['reason'] | undefined;
  let throttledAction = false;
  let other: string | undefined;
  reasons.forEach((reason, index) => {
    const code = reason.Code;
    if (code === undefined || code === 'None') return;
    if (code === 'ConditionalCheckFailed' || code === 'TransactionConflict') {
      // A lost race on any item means the snapshot is stale: reload and decide again.
      const found = reasonFor(roles[index]);
      if (conflict === undefined || CONFLICT_PRIORITY[found] > CONFLICT_PRIORITY[conflict]) conflict = found;
    } else if (THROTTLE_CODES.has(code)) {
      throttledAction = true;
    } else {
      other ??= code;
    }
  });
  if (conflict !== undefined) return new CommitConflict(conflict);
  if (throttledAction) return throttled(`${OPERATION} cancelled: throttled`);
  if (other === 'ValidationError') {
    return new WorkflowWorldError(`${OPERATION} cancelled: ValidationError`, { status: 400, code: other, cause: error });
  }
  // Unknown or missing reasons: nothing was written, so a retry is safe.
  return new WorkflowWorldError(`${OPERATION} cancelled: ${other ?? 'no reason given'}`, { status: 503, code: other ?? 'TransactionCanceled', cause: error });
}
