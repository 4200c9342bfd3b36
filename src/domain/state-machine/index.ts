// The pure event state machine: what to read (`snapshotNeeds`), then what to
// do (`decide`). No I/O; the application loads, decides and commits.
export { decide, type DecideInput } from './decide.js';
export { snapshotNeeds } from './needs.js';
