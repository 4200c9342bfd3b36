// Test seam for the fan-out bench: the world under test (E2E_WORLD_ENTRY, any
// world module) with the runtime's queue handler calls counted where they run.
// HTTP route counts miss the replays this world runs in process right after a
// step (wake-up continuations). Loaded as WORKFLOW_TARGET_WORLD; the harness
// server reads `handlerCalls` from this module.
const entry = require(process.env.E2E_WORLD_ENTRY);
const createWorld = typeof entry === 'function' ? entry : (entry.createWorld ?? entry.default);

/** Runtime handler calls in this process: flow = workflow replays, step = step handler runs. */
const handlerCalls = { flow: 0, step: 0 };

function counted(world) {
  const create = world.createQueueHandler;
  world.createQueueHandler = (prefix, handler) =>
    create(prefix, (payload, meta) => {
      handlerCalls[prefix.startsWith('__wkf_workflow_') ? 'flow' : 'step']++;
      return handler(payload, meta);
    });
  return world;
}

module.exports = Object.assign((options) => counted(createWorld(options)), { handlerCalls });
