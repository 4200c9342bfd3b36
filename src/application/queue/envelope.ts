// The message format between queue() and the queue handler. Logical queue
// names (`__wkf_step_step//./src/wf//charge`) are not valid SQS names, so they
// travel inside the message; the physical queue is one per channel.
import { ValidQueueName, parseQueueName } from '@workflow/world';
import type { QueueChannel } from '../../ports/message-queue.js';
import { parseTagged, stringifyTagged } from './tagged-json.js';

export const ENVELOPE_VERSION = 1;

/** Where an offloaded payload lives (claim check). */
export interface PayloadRef {
  key: string;
  byteLength: number;
}

interface EnvelopeFields {
  v: typeof ENVELOPE_VERSION;
  /** `msg_<ULID>`: the runtime's messageId, stable across redeliveries and chained hops. */
  id: string;
  queueName: ValidQueueName;
  deploymentId: string;
  idempotencyKey?: string;
  /** Forwarded as HTTP headers on delivery (trace context). */
  headers?: Record<string, string>;
  /** Absolute delivery time, epoch ms, by the sender's clock; absent means deliver now. */
  dueAt?: number;
  /** The delay left after the hop that carries this body (ms), counted by the queue's delays (domain/delay-schedule.ts). */
  restMs?: number;
  /** A workflow wake-up that holds its run's pending mark: cleared when its delivery starts. */
  wake?: true;
  /** A copy of a step run in process (inline-steps.ts): checked against the log before it takes the lease. */
  inline?: true;
  /** A run's safety net (run-nets.ts): acked by its live sender; elsewhere it replays the run unless the run is finished. */
  net?: true;
}

/** An envelope as the handler sees it: the payload is inline. */
export interface Envelope extends EnvelopeFields {
  payload: unknown;
}

/** An envelope as it travels on the queue: the payload is inline or in the blob store. */
export type WireEnvelope = Envelope | (EnvelopeFields & { payloadRef: PayloadRef });

export const hasPayloadRef = (e: WireEnvelope): e is EnvelopeFields & { payloadRef: PayloadRef } => 'payloadRef' in e;

/** Raised for a body that is not an envelope this version understands. */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

/** The physical queue a logical queue name travels on. */
export function channelOf(queueName: string): QueueChannel {
  return parseQueueName(queueName as ValidQueueName).kind;
}

export function encodeEnvelope(envelope: WireEnvelope): string {
  return stringifyTagged(envelope);
}

export function decodeEnvelope(body: string): WireEnvelope {
  let parsed: unknown;
  try {
    parsed = parseTagged(body);
  } catch (error) {
    throw new EnvelopeError(`message body is not tagged JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new EnvelopeError('message body is not an object');
  const e = parsed as Record<string, unknown>;
  if (e.v !== ENVELOPE_VERSION) throw new EnvelopeError(`unsupported envelope version ${String(e.v)}`);
  if (typeof e.id !== 'string' || e.id === '') throw new EnvelopeError('envelope id missing');
  if (typeof e.queueName !== 'string' || !ValidQueueName.safeParse(e.queueName).success) {
    throw new EnvelopeError('envelope queue name missing or invalid');
  }
  if (typeof e.deploymentId !== 'string') throw new EnvelopeError('envelope deploymentId missing');
  if (e.idempotencyKey !== undefined && typeof e.idempotencyKey !== 'string') throw new EnvelopeError('invalid idempotencyKey');
  if (e.dueAt !== undefined && !Number.isFinite(e.dueAt)) throw new EnvelopeError('invalid dueAt');
  if (e.restMs !== undefined && !(typeof e.restMs === 'number' && Number.isFinite(e.restMs) && e.restMs >= 0)) throw new EnvelopeError('invalid restMs');
  if (e.wake !== undefined && e.wake !== true) throw new EnvelopeError('invalid wake');
  if (e.inline !== undefined && e.inline !== true) throw new EnvelopeError('invalid inline');
  if (e.net !== undefined && e.net !== true) throw new EnvelopeError('invalid net');
  if (e.headers !== undefined && !isStringRecord(e.headers)) throw new EnvelopeError('invalid headers');
  const inline = 'payload' in e;
  const ref = 'payloadRef' in e;
  if (inline === ref) throw new EnvelopeError('envelope needs exactly one of payload and payloadRef');
  if (ref && !isPayloadRef(e.payloadRef)) throw new EnvelopeError('invalid payloadRef');
  return e as unknown as WireEnvelope;
}

/** Ids worth logging for a payload: never the payload itself. */
export function payloadIds(payload: unknown): { runId?: string; stepId?: string } {
  if (payload === null || typeof payload !== 'object') return {};
  const p = payload as Record<string, unknown>;
  const runId = typeof p.runId === 'string' ? p.runId : typeof p.workflowRunId === 'string' ? p.workflowRunId : undefined;
  const stepId = typeof p.stepId === 'string' ? p.stepId : undefined;
  return { runId, stepId };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

function isPayloadRef(value: unknown): value is PayloadRef {
  if (value === null || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return typeof r.key === 'string' && r.key !== '' && Number.isInteger(r.byteLength);
}
