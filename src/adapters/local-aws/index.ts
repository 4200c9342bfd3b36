// The embedded local AWS, without the CLI: start it from tests or scripts.
export { startLocalAws, localClients, LOCAL_CREDENTIALS, type LocalAws, type LocalAwsOptions } from './start-local-aws.js';
export { startDynalite } from './dynalite-server.js';
export { startFauxqs } from './fauxqs-server.js';
export { addTransactions, createDynaliteServer, ADDED_OPERATIONS, type DynaliteOptions } from './dynalite-transactions.js';
export type { RunningServer } from './running-server.js';
