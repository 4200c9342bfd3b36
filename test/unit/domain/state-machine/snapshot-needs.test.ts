import type { AnyEventRequest } from '@workflow/world';
import { snapshotNeeds } from '../../../../src/domain/state-machine/index.js';
import { HOOK_ID, requests, RUN_ID, STEP_ID, TOKEN, WAIT_CORRELATION, type RequestType } from './fixtures.js';

describe('snapshotNeeds', () => {
  const cases: Array<[RequestType, object]> = [
    ['run_created', { runId: RUN_ID }],
    ['run_started', { runId: RUN_ID }],
    ['run_completed', { runId: RUN_ID, runChildren: true }],
    ['run_failed', { runId: RUN_ID, runChildren: true }],
    ['run_cancelled', { runId: RUN_ID, runChildren: true }],
    ['step_created', { runId: RUN_ID, stepId: STEP_ID }],
    ['step_started', { runId: RUN_ID, stepId: STEP_ID }],
    ['step_completed', { runId: RUN_ID, stepId: STEP_ID }],
    ['step_failed', { runId: RUN_ID, stepId: STEP_ID }],
    ['step_retrying', { runId: RUN_ID, stepId: STEP_ID }],
    ['hook_created', { runId: RUN_ID, hookId: HOOK_ID, token: TOKEN }],
    ['hook_received', { runId: RUN_ID, hookId: HOOK_ID }],
    ['hook_disposed', { runId: RUN_ID, hookId: HOOK_ID }],
    ['wait_created', { runId: RUN_ID, waitId: `${RUN_ID}-${WAIT_CORRELATION}` }],
    ['wait_completed', { runId: RUN_ID, waitId: `${RUN_ID}-${WAIT_CORRELATION}` }],
  ];

  it.each(cases)('%s reads exactly %j', (type, needs) => {
    expect(snapshotNeeds(RUN_ID, requests[type])).toStrictEqual(needs);
  });

  it.each([null, ''])('reads nothing (runId "") when run_created comes with run id %j: the id will be minted', (runId) => {
    expect(snapshotNeeds(runId, requests.run_created)).toStrictEqual({ runId: '' });
  });

  it('reads nothing for other events without a run id, which decide rejects', () => {
    expect(snapshotNeeds(null, requests.step_started)).toStrictEqual({ runId: '' });
  });

  it('tolerates malformed requests, reading only the run', () => {
    const malformed = { eventType: 'hook_created', correlationId: 42, eventData: null } as unknown as AnyEventRequest;
    expect(snapshotNeeds(RUN_ID, malformed)).toStrictEqual({ runId: RUN_ID });
    expect(snapshotNeeds(RUN_ID, { eventType: 'bogus' } as unknown as AnyEventRequest)).toStrictEqual({ runId: RUN_ID });
  });
});
