// The embedded local AWS, without the CLI: start it from tests or scripts.
// Its emulators are not installed with the package for production: the
// preflight, evaluated first, names the command that installs them.
import './preflight.js';
export { startLocalAws, localClients, LOCAL_CREDENTIALS, type LocalAws, type LocalAwsOptions } from './start-local-aws.js';
export { startDynalite } from './dynalite-server.js';
export { startFauxqs } from './fauxqs-server.js';
export { addTransactions, createDynaliteServer, ADDED_OPERATIONS, type DynaliteOptions } from './dynalite-transactions.js';
export type { RunningServer } from './running-server.js';
export { EMULATOR_INSTALL_COMMAND, EMULATOR_PACKAGES, EmulatorsMissing, missingEmulators } from './emulators.js';
