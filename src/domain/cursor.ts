// Opaque pagination cursors. A cursor names a position (the last sort key
// returned) in one particular listing; it carries no authority, so a checksum
// is enough to detect a corrupted, truncated or hand-edited cursor, and the
// scope check rejects a cursor reused on another listing.
import { WorkflowWorldError } from '@workflow/errors';

interface CursorBody {
  /** Listing scope, e.g. `events:<runId>:asc`. */
  s: string;
  /** Last sort key returned. */
  k: string;
}

/** cyrb53: a fast 53-bit string hash (public domain). Integrity, not secrecy. */
function checksum(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

const toBase64Url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');
const fromBase64Url = (text: string): string => Buffer.from(text, 'base64url').toString('utf8');

export function encodeCursor(scope: string, lastKey: string): string {
  const json = JSON.stringify({ s: scope, k: lastKey } satisfies CursorBody);
  return `${toBase64Url(json)}.${checksum(json)}`;
}

/** The last sort key of a cursor made for `scope`; a 400 WorkflowWorldError otherwise. */
export function decodeCursor(scope: string, cursor: string): string {
  const invalid = (why: string) => new WorkflowWorldError(`Invalid pagination cursor: ${why}`, { status: 400 });
  const dot = cursor.lastIndexOf('.');
  if (dot <= 0) throw invalid('malformed');
  let json: string;
  try {
    json = fromBase64Url(cursor.slice(0, dot));
  } catch {
    throw invalid('malformed');
  }
  if (checksum(json) !== cursor.slice(dot + 1)) throw invalid('checksum mismatch');
  let body: CursorBody;
  try {
    body = JSON.parse(json) as CursorBody;
  } catch {
    throw invalid('malformed');
  }
  if (typeof body?.k !== 'string' || typeof body?.s !== 'string') throw invalid('malformed');
  if (body.s !== scope) throw invalid('it belongs to a different listing');
  return body.k;
}
