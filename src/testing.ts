// @workflow/world-aws/testing: helpers for tests that build worlds on the
// in-memory adapters.
export { ManualClock } from './adapters/memory/manual-clock.js';
export { resetMemoryInstallations, memoryInstallation } from './world/memory-ports.js';
export { TOKENS } from './world/ports.js';
export { verifyProjections, type VerifyProjectionsOptions, type VerifyResult, type ProjectionDrift } from './world/verify.js';
