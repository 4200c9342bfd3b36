import { decideWith, eventDataOf, expectRejected, requests, snapshotWith } from './fixtures.js';

const badRequest = (message: string | RegExp) => ({ name: 'WorkflowWorldError', status: 400, message });

describe('request validation', () => {
  it.each([
    ['an unknown event type', { eventType: 'bogus', specVersion: 3 }, 'Unknown event type "bogus"'],
    ['a missing event type', { specVersion: 3 }, 'Unknown event type undefined'],
    ['a non-object request', 'run_started', 'Unknown event type undefined'],
    [
      'the world-only hook_conflict',
      { eventType: 'hook_conflict', correlationId: 'hook_1', eventData: { token: 't' } },
      'Event type "hook_conflict" is created by the world and cannot be requested',
    ],
  ])('rejects %s with 400', (_case, request, message) => {
    expectRejected(decideWith(request, snapshotWith('running')), badRequest(message));
  });

  it.each([
    ['step_created without stepName', { ...requests.step_created, eventData: { input: new Uint8Array() } }, /^Invalid step_created event request: eventData\.stepName: /],
    ['step_started without correlationId', { eventType: 'step_started', specVersion: 3 }, /^Invalid step_started event request: correlationId: /],
    ['hook_created without token', { ...requests.hook_created, eventData: {} }, /^Invalid hook_created event request: eventData\.token: /],
    ['run_created without eventData', { eventType: 'run_created' }, /^Invalid run_created event request: eventData: /],
    ['wait_created with an unparseable resumeAt', { ...requests.wait_created, eventData: { resumeAt: 'not a date' } }, /^Invalid wait_created event request: eventData\.resumeAt: /],
    ['a non-numeric specVersion', { ...requests.run_started, specVersion: 'three' }, /^Invalid run_started event request: specVersion: /],
    ['an empty correlationId', { ...requests.step_completed, correlationId: '' }, 'Invalid step_completed event request: correlationId must not be empty'],
  ])('rejects %s with 400 naming the field', (_case, request, message) => {
    expectRejected(decideWith(request, snapshotWith('running', { step: undefined })), badRequest(message));
  });

  it('rejects an event other than run_created without a run id', () => {
    expectRejected(
      decideWith(requests.step_started, snapshotWith('running'), { runId: null }),
      badRequest('runId is required for step_started events'),
    );
    expectRejected(decideWith(requests.run_started, {}, { runId: '' }), badRequest('runId is required for run_started events'));
  });

  it('stores the parsed request: unknown keys dropped, dates coerced', () => {
    const decision = decideWith(
      { ...requests.wait_created, extra: 'x', eventData: { resumeAt: '2025-06-01T12:01:00.000Z', extra: 1 } },
      snapshotWith('running'),
    );
    if (decision.type !== 'commit') throw new Error(decision.type);
    const [event] = decision.commit.events;
    expect(event).not.toHaveProperty('extra');
    expect(eventDataOf(event)).toEqual({ resumeAt: new Date('2025-06-01T12:01:00.000Z') });
    expect(decision.commit.putWaits[0]?.resumeAt).toEqual(new Date('2025-06-01T12:01:00.000Z'));
  });
});
