// queue(…, { headers }) travel with the message and come back as HTTP request
// headers on delivery. A name or value that HTTP (or SQS, should headers ride
// as message attributes) refuses would fail every delivery until the DLQ, so
// it is refused at queue() instead, naming the header.
import { WorkflowWorldError } from '@workflow/errors';

/** SQS message-attribute names, which are also valid HTTP header names (tchar subset). */
const NAME = /^[A-Za-z0-9_-](?:[A-Za-z0-9_.-]{0,254}[A-Za-z0-9_-])?$/;
/** What a Fetch Headers value (a ByteString) and SQS both accept: tab and printable Latin-1; no CR/LF/NUL. */
const VALUE = /^[\t\u0020-\u007e\u00a0-\u00ff]*$/;

export function assertValidQueueHeaders(headers: unknown): void {
  if (headers === undefined) return;
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    throw invalid(`Invalid headers: expected an object of string values`);
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!NAME.test(name) || name.includes('..') || /^(aws|amazon)\./i.test(name)) {
      throw invalid(
        `Invalid header name ${JSON.stringify(name)}: use 1–256 letters, digits, "-", "_" or "." (not at either end, no "..", no "aws."/"amazon." prefix)`,
      );
    }
    if (typeof value !== 'string') throw invalid(`Invalid header "${name}": the value must be a string; got ${typeof value}`);
    if (!VALUE.test(value)) throw invalid(`Invalid header "${name}": the value contains a character HTTP cannot carry (a control character such as CR, LF or NUL, or one beyond Latin-1)`);
  }
}

function invalid(message: string): WorkflowWorldError {
  return new WorkflowWorldError(message, { status: 400, code: 'INVALID_QUEUE_HEADER' });
}
