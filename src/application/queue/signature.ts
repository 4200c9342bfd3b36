// Delivery signatures. One header value carries two HMAC-SHA256 tags:
//   v3=<bodyBytes>.<headerTag>.<bodyTag>
// headerTag covers "<method>.<route>.<timestamp>.<attempt>.<bodyBytes>", so a
// forged request, or a real one sent to the other route, is refused (and the
// body's size known) before one byte of the body is read and before its nonce
// is claimed; bodyTag covers the same fields plus the body and is computed
// while the body streams in. The timestamp bounds how long a captured delivery
// can be replayed; within that window the replay guard refuses it
// (replay-guard.ts).
import { createHmac, randomBytes, timingSafeEqual, type Hmac } from 'node:crypto';
import { processScope, token } from '../../process-scope.js';

export const SIGNATURE_SCHEME = 'v3';
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

const TAG_HEX_LENGTH = 64;
const SIGNATURE_PATTERN = /^v3=(0|[1-9][0-9]{0,15})\.([0-9a-f]{64})\.([0-9a-f]{64})$/;
const utf8 = new TextEncoder();

/** Where a delivery is addressed: the HTTP method and the workflow route ("flow" or "step"). */
export interface DeliveryTarget {
  method: string;
  route: string;
}

/** The signed fields, in order; method and route contain no "." (route names and HTTP tokens here). */
function fields(target: DeliveryTarget, timestamp: string, attempt: string, bodyBytes: number): string {
  return `${target.method.toUpperCase()}.${target.route}.${timestamp}.${attempt}.${bodyBytes}`;
}

function headerTag(secret: string, target: DeliveryTarget, timestamp: string, attempt: string, bodyBytes: number): string {
  return createHmac('sha256', secret).update(`h.${fields(target, timestamp, attempt, bodyBytes)}`).digest('hex');
}

/** The body tag, fed chunk by chunk. */
export function bodyTagHmac(secret: string, target: DeliveryTarget, timestamp: string, attempt: string, bodyBytes: number): Hmac {
  return createHmac('sha256', secret).update(`b.${fields(target, timestamp, attempt, bodyBytes)}.`);
}

/** Signs the header values exactly as sent, so the verifier needs no canonical form. */
export function signDelivery(secret: string, target: DeliveryTarget, timestamp: number | string, attempt: number | string, body: string): string {
  const bytes = utf8.encode(body);
  const ts = String(timestamp);
  const at = String(attempt);
  const bodyTag = bodyTagHmac(secret, target, ts, at, bytes.byteLength).update(bytes).digest('hex');
  return `${SIGNATURE_SCHEME}=${bytes.byteLength}.${headerTag(secret, target, ts, at, bytes.byteLength)}.${bodyTag}`;
}

export type SignatureVerdict = 'valid' | 'missing' | 'stale' | 'mismatch';

export interface SignedHeaders {
  timestamp: string | null;
  attempt: string | null;
  signature: string | null;
}

export type HeaderVerdict =
  | { verdict: Exclude<SignatureVerdict, 'valid'> }
  /** The headers are authentic: the body must be `bodyBytes` long and match `bodyTag`. */
  | { verdict: 'valid'; timestamp: string; attempt: string; sentAt: number; bodyBytes: number; bodyTag: string };

/** Everything that can be checked before the body is read; `target` is where the request actually arrived. */
export function verifyDeliveryHeaders(secret: string, target: DeliveryTarget, headers: SignedHeaders, now: number, toleranceSeconds: number): HeaderVerdict {
  const { timestamp, attempt, signature } = headers;
  if (!timestamp || !attempt || !signature) return { verdict: 'missing' };
  const sentAt = Number(timestamp);
  if (!Number.isSafeInteger(sentAt) || Math.abs(now - sentAt) > toleranceSeconds * 1000) return { verdict: 'stale' };
  const parts = SIGNATURE_PATTERN.exec(signature);
  if (!parts) return { verdict: 'mismatch' };
  const bodyBytes = Number(parts[1]);
  if (!Number.isSafeInteger(bodyBytes)) return { verdict: 'mismatch' };
  if (!tagsEqual(parts[2]!, headerTag(secret, target, timestamp, attempt, bodyBytes))) return { verdict: 'mismatch' };
  return { verdict: 'valid', timestamp, attempt, sentAt, bodyBytes, bodyTag: parts[3]! };
}

/** Constant-time comparison of two hex tags. */
export function tagsEqual(given: string, expected: string): boolean {
  if (given.length !== TAG_HEX_LENGTH || expected.length !== TAG_HEX_LENGTH) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

const DELIVERY_KEY = token<string>('process-delivery-key');

/**
 * With no WORKFLOW_AWS_SIGNING_SECRET, deliveries are signed with a random key
 * that never leaves this process: the consumer and the routes of one process
 * (the single-process set-up "unsigned mode" is for) still agree, and nothing
 * from outside the process can forge or replay across a restart. Kept in the
 * process scope so two copies of this module in one process agree too.
 */
export function processDeliveryKey(): string {
  return processScope().shared(DELIVERY_KEY, () => randomBytes(32).toString('hex'));
}
