// The worker function's fixed shape. Bootstrap's not-yet-deployed handler and deploy's real
// bundle share the file name and handler, so deploy only swaps the code.
import { QUEUES } from '../../adapters/aws/resources.js';

export const LAMBDA_RUNTIME = 'nodejs22.x';
/** ESM bundle: `index.mjs` exporting `handler`. */
export const LAMBDA_ENTRY_FILE = 'index.mjs';
export const LAMBDA_HANDLER = 'index.handler';
/** Lambda's maximum; SQS visibility (QUEUES.visibilityTimeoutSeconds) must stay at or above it. */
export const LAMBDA_TIMEOUT_SECONDS = Math.min(900, QUEUES.visibilityTimeoutSeconds);
export const LAMBDA_MEMORY_MB = 1024;
export const EVENT_SOURCE_BATCH_SIZE = 10;
/** Direct UpdateFunctionCode uploads are capped at 50 MB zipped; above that the zip goes through S3. */
export const DIRECT_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;
/** S3 key prefix for zips too large to upload directly (the payload prefix is separate). */
export const DEPLOYMENT_KEY_PREFIX = 'deployments/';
