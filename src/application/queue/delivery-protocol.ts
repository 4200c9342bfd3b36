// The HTTP shape of one delivery: which route, which headers, and what the
// handler's response means. Shared by the HTTP deliverer, the Lambda route
// deliverer and the queue handler, so both ends agree by construction.
import { parseQueueName, type ValidQueueName } from '@workflow/world';
import { randomBytes } from 'node:crypto';
import { EnvelopeError, encodeEnvelope, type Envelope, type WireEnvelope } from './envelope.js';
import { processDeliveryKey, signDelivery } from './signature.js';

export const DELIVERY_HEADERS = {
  /** 1-based receive count of this delivery. */
  attempt: 'x-workflow-aws-attempt',
  /** Epoch ms when the delivery was signed. */
  timestamp: 'x-workflow-aws-timestamp',
  signature: 'x-workflow-aws-signature',
} as const;

export const WORKFLOW_ROUTE_BASE = '/.well-known/workflow/v1';

export type WorkflowRoute = 'flow' | 'step';

/** Every delivery is a POST; the method is signed with the route. */
export const DELIVERY_METHOD = 'POST';

export type DeliveryResult =
  /** Done, or needing no run (a duplicate whose key belongs to another message). */
  | { kind: 'done' }
  /** The handler asked for the same payload again after this many seconds. */
  | { kind: 'reschedule'; timeoutSeconds: number }
  /** Another copy of the message holds the key's delivery lease (taken by the handler) until `leaseEndsAt`. */
  | { kind: 'busy'; leaseEndsAt: number }
  | { kind: 'failed'; reason: string; status?: number };

export function routeOf(queueName: string): WorkflowRoute {
  return parseQueueName(queueName as ValidQueueName).kind === 'workflow' ? 'flow' : 'step';
}

/** `<baseUrl>/.well-known/workflow/v1/<route>`, keeping any base path of `baseUrl`. */
export function workflowRouteUrl(baseUrl: string, route: WorkflowRoute): string {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${WORKFLOW_ROUTE_BASE}/${route}`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

/** Headers that describe the transport and must not come from the message. */
const RESERVED = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', ...Object.values(DELIVERY_HEADERS)]);

export interface DeliveryRequest {
  route: WorkflowRoute;
  headers: Headers;
  body: string;
}

/**
 * The per-delivery nonce travels in the signed body beside the envelope's
 * fields, so it is as authentic as the body: it identifies the delivery's
 * lease and is its replay nonce (two copies signed in the same millisecond
 * still differ).
 */
const NONCE_FIELD = 'deliveryNonce';
const NONCE_PATTERN = /^[0-9a-f]{32}$/;

/** A fresh delivery nonce: 128 random bits, hex. */
export function newDeliveryNonce(): string {
  return randomBytes(16).toString('hex');
}

/** Removes and returns the delivery nonce of a decoded request body; undefined when absent (an older consumer). */
export function takeDeliveryNonce(wire: WireEnvelope): string | undefined {
  const fields = wire as unknown as Record<string, unknown>;
  const nonce = fields[NONCE_FIELD];
  delete fields[NONCE_FIELD];
  if (nonce === undefined) return undefined;
  if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) throw new EnvelopeError('invalid delivery nonce');
  return nonce;
}

/** The request for delivering `envelope` (payload inline) as the delivery `nonce`, signed when a secret is configured. */
export function buildDeliveryRequest(envelope: Envelope, attempt: number, signingSecret: string | undefined, now: number, nonce = newDeliveryNonce()): DeliveryRequest {
  const body = encodeEnvelope({ ...envelope, [NONCE_FIELD]: nonce } as Envelope);
  const headers = new Headers();
  for (const [name, value] of Object.entries(envelope.headers ?? {})) {
    if (!RESERVED.has(name.toLowerCase())) headers.set(name, value);
  }
  headers.set('content-type', 'application/json');
  headers.set(DELIVERY_HEADERS.attempt, String(attempt));
  // Always signed: with no shared secret, by this process's private key (signature.ts).
  headers.set(DELIVERY_HEADERS.timestamp, String(now));
  const route = routeOf(envelope.queueName);
  headers.set(DELIVERY_HEADERS.signature, signDelivery(signingSecret || processDeliveryKey(), { method: DELIVERY_METHOD, route }, now, attempt, body));
  return { route, headers, body };
}

export const SIGNATURE_REFUSED =
  "the app refused this process's delivery signature: set the same WORKFLOW_AWS_SIGNING_SECRET in this process and in the app";

/** What the queue handler's response says: 2xx (+ optional timeoutSeconds) or a failure. */
export async function readDeliveryResponse(response: Response): Promise<DeliveryResult> {
  const text = await response.text();
  if (response.status === 409) {
    const leaseEndsAt = leaseEndOf(text);
    if (leaseEndsAt !== undefined) return { kind: 'busy', leaseEndsAt };
  }
  if (!response.ok) {
    // The one refusal a person must fix on both sides: name the variable.
    const hint = response.status === 401 ? `; ${SIGNATURE_REFUSED}` : '';
    return { kind: 'failed', status: response.status, reason: `HTTP ${response.status}: ${errorText(text)}${hint}` };
  }
  try {
    const timeoutSeconds = Number((JSON.parse(text) as { timeoutSeconds?: unknown }).timeoutSeconds);
    if (Number.isFinite(timeoutSeconds) && timeoutSeconds >= 0) return { kind: 'reschedule', timeoutSeconds };
  } catch {
    // A 2xx body that is not JSON is still a success without a reschedule.
  }
  return { kind: 'done' };
}

/** The `leaseEndsAt` of a handler's "delivery in progress" answer. */
function leaseEndOf(text: string): number | undefined {
  try {
    const value = (JSON.parse(text) as { leaseEndsAt?: unknown }).leaseEndsAt;
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The handler's error text, shortened: it names the error, it must not flood the log. */
function errorText(text: string): string {
  let message = text;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as { error?: unknown }).error === 'string') {
      message = (parsed as { error: string }).error;
    }
  } catch {
    // Not JSON: keep the raw text.
  }
  return message.length > 500 ? `${message.slice(0, 500)}…` : message;
}
