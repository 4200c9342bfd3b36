// @workflow/world-testing's contract suite against the workflow@5 facade. The
// server it spawns loads the world named by WORKFLOW_TARGET_WORLD from this
// directory's node_modules, configured by the WORKFLOW_AWS_* environment
// (scripts/world-testing-v5.mjs sets it).
import { createTestSuite } from '@workflow/world-testing';

createTestSuite('@workflow/world-aws/v5');
