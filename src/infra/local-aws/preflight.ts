// Imported first by the `./local` entry: fails with the install command,
// before the modules that load dynalite (at evaluation) and fauxqs run.
import { assertEmulators } from './emulators.js';

assertEmulators();
