// HMAC-SHA256 over "<timestamp>.<attempt>.<body>" so a delivery cannot be
// forged, nor its attempt count altered, without the shared secret; the
// timestamp bounds how long a captured delivery can be replayed.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_SCHEME = 'v1';
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** Signs the header values exactly as sent, so the verifier needs no canonical form. */
export function signDelivery(secret: string, timestamp: number | string, attempt: number | string, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${attempt}.${body}`).digest('hex');
  return `${SIGNATURE_SCHEME}=${mac}`;
}

export type SignatureVerdict = 'valid' | 'missing' | 'stale' | 'mismatch';

export interface SignedDelivery {
  timestamp: string | null;
  attempt: string | null;
  signature: string | null;
  body: string;
}

export function verifyDelivery(secret: string, delivery: SignedDelivery, now: number, toleranceSeconds: number): SignatureVerdict {
  const { timestamp, attempt, signature, body } = delivery;
  if (!timestamp || !attempt || !signature) return 'missing';
  const sentAt = Number(timestamp);
  if (!Number.isSafeInteger(sentAt) || Math.abs(now - sentAt) > toleranceSeconds * 1000) return 'stale';
  const expected = Buffer.from(signDelivery(secret, timestamp, attempt, body));
  const given = Buffer.from(signature);
  // timingSafeEqual needs equal lengths; the length itself reveals nothing secret.
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'mismatch';
}
