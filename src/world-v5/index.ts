// @workflow/world-aws/v5: the AWS World for workflow@5 (beta).
// `WORKFLOW_TARGET_WORLD=@workflow/world-aws/v5` loads the default export.
import { createWorld } from './create-world.js';

export { createWorld };
export default createWorld;
export { CAPABILITIES_V5, type AwsWorldV5, type CreateWorldOptions } from './create-world.js';
export { noteInvocationDeadline, type InvocationContext } from './runtime-deadline.js';
export { SPEC_VERSION_COMPRESSION, SPEC_VERSION_SEALED_LOG, SPEC_VERSION_SLOT_IDENTITY } from '../domain/line-semantics.js';
export { MAX_CHUNK_BYTES, MAX_CHUNK_EVENTS } from './batch/batch-chunks.js';
