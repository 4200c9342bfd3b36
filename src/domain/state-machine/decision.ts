// The three outcomes of a decision, and what every handler of an existing run is given.
import type { CreateEventParams } from '@workflow/world';
import type { Commit, Decision, DecisionContext, DecisionResult, RunRecord, Snapshot } from '../model.js';

export const reject = (error: Error): Decision => ({ type: 'reject', error });

export const reply = (result: DecisionResult): Decision => ({ type: 'reply', result });

export const commitWith = (commit: Commit, result: DecisionResult): Decision => ({ type: 'commit', commit, result });

/** An event request aimed at a run that exists and passed the run-level guards. */
export interface Situation {
  runId: string;
  record: RunRecord;
  snapshot: Snapshot;
  params: CreateEventParams | undefined;
  ctx: DecisionContext;
}
