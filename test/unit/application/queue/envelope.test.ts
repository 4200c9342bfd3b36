// The wire format: exact byte round trip, tag escaping, strict decoding.
import { ValidQueueName } from '@workflow/world';
import {
  ENVELOPE_VERSION,
  EnvelopeError,
  channelOf,
  decodeEnvelope,
  encodeEnvelope,
  payloadIds,
  type Envelope,
} from '../../../../src/application/queue/envelope.js';
import { parseTagged, stringifyTagged } from '../../../../src/application/queue/tagged-json.js';

const envelope = (payload: unknown, extra: Partial<Envelope> = {}): Envelope => ({
  v: ENVELOPE_VERSION,
  id: 'msg_01HZZZZZZZZZZZZZZZZZZZZZZZ',
  queueName: ValidQueueName.parse('__wkf_workflow_workflow//./src/wf//order'),
  deploymentId: 'aws:test',
  payload,
  ...extra,
});

describe('tagged JSON', () => {
  it('round-trips Uint8Array exactly, including views, Buffers, empty and all byte values', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    const value = { all, view: backing.subarray(2, 5), buffer: Buffer.from([7, 8]), empty: new Uint8Array(0), list: [new Uint8Array([5])] };
    const back = parseTagged(stringifyTagged(value)) as Record<string, unknown>;
    expect(back.all).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(back.buffer)).toBe(false);
    expect(Array.from(back.all as Uint8Array)).toEqual(Array.from(all));
    expect(Array.from(back.view as Uint8Array)).toEqual([1, 2, 3]);
    expect(Array.from(back.buffer as Uint8Array)).toEqual([7, 8]);
    expect((back.empty as Uint8Array).byteLength).toBe(0);
    expect(Array.from((back.list as Uint8Array[])[0]!)).toEqual([5]);
  });

  it('keeps objects that look like tags as plain objects', () => {
    const value = {
      fakeBytes: { __bytes: 'AAAA' },
      fakeLiteral: { __literal: { __bytes: 'x' } },
      nested: [{ __bytes: 'still a string' }],
      twoKeys: { __bytes: 'x', other: 1 },
    };
    expect(parseTagged(stringifyTagged(value))).toEqual(value);
  });

  it('keeps other JSON values as JSON does (dates become strings)', () => {
    const when = new Date(Date.UTC(2030, 0, 1));
    expect(parseTagged(stringifyTagged({ n: 1, s: 'x', b: false, z: null, when }))).toEqual({ n: 1, s: 'x', b: false, z: null, when: when.toISOString() });
  });
});

describe('envelope', () => {
  it('round-trips a workflow payload with runInput bytes', () => {
    const input = new Uint8Array([0, 255, 1, 128]);
    const e = envelope(
      { runId: 'wrun_1', runInput: { input, deploymentId: 'aws:test', workflowName: 'wf', specVersion: 3 } },
      { idempotencyKey: 'k', headers: { traceparent: '00-abc-def-01' }, dueAt: 1234 },
    );
    const back = decodeEnvelope(encodeEnvelope(e)) as Envelope;
    expect(back).toEqual(e);
    expect((back.payload as { runInput: { input: Uint8Array } }).runInput.input).toBeInstanceOf(Uint8Array);
  });

  it('rejects bodies that are not a version-1 envelope', () => {
    const valid = JSON.parse(encodeEnvelope(envelope({ runId: 'r' }))) as Record<string, unknown>;
    const variants: unknown[] = [
      'not json',
      [],
      { ...valid, v: 2 },
      { ...valid, id: '' },
      { ...valid, queueName: 'orders' },
      { ...valid, deploymentId: 1 },
      { ...valid, dueAt: 'soon' },
      { ...valid, headers: { a: 1 } },
      { ...valid, payloadRef: { key: 'queue/x', byteLength: 1 } },
      { ...Object.fromEntries(Object.entries(valid).filter(([k]) => k !== 'payload')) },
    ];
    for (const body of variants) {
      expect(() => decodeEnvelope(typeof body === 'string' ? body : JSON.stringify(body))).toThrow(EnvelopeError);
    }
  });

  it('maps queue names to channels by prefix kind', () => {
    expect(channelOf('__wkf_workflow_wf')).toBe('workflow');
    expect(channelOf('__wkf_step_step//./a//b')).toBe('step');
    expect(channelOf('__tenant_wkf_step_x')).toBe('step');
  });

  it('extracts only ids from payloads for logging', () => {
    expect(payloadIds({ runId: 'wrun_1', runInput: { input: 'secret' } })).toEqual({ runId: 'wrun_1', stepId: undefined });
    expect(payloadIds({ workflowRunId: 'wrun_2', stepId: 'step_1', traceCarrier: {} })).toEqual({ runId: 'wrun_2', stepId: 'step_1' });
    expect(payloadIds('x')).toEqual({});
  });
});
