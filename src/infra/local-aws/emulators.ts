// The embedded local AWS runs on two emulators that production installs of
// @workflow/world-aws leave out (devDependencies + optional peers): dynalite
// pulls a native LevelDB addon, fauxqs a web server stack. This says which
// are missing and the one command that installs them.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The versions this package is tested with (docs/local-aws.md). */
export const EMULATOR_PACKAGES = { dynalite: '4.0.0', fauxqs: '1.9.2' } as const;

export const EMULATOR_INSTALL_COMMAND = `npm install --save-dev ${Object.entries(EMULATOR_PACKAGES)
  .map(([name, version]) => `${name}@${version}`)
  .join(' ')}`;

export class EmulatorsMissing extends Error {
  override readonly name = 'EmulatorsMissing';
  constructor(readonly missing: string[]) {
    super(
      `The embedded local AWS needs ${missing.join(' and ')}, which production installs of @workflow/world-aws leave out; install ${missing.length > 1 ? 'them' : 'it'} with: ${EMULATOR_INSTALL_COMMAND}`,
    );
  }
}

/** Looked up on the module paths, without loading anything (fauxqs exports no CommonJS entry to resolve). */
export function missingEmulators(paths: readonly string[] = createRequire(import.meta.url).resolve.paths('dynalite') ?? []): string[] {
  return Object.keys(EMULATOR_PACKAGES).filter((name) => !paths.some((dir) => existsSync(join(dir, name, 'package.json'))));
}

export function assertEmulators(): void {
  const missing = missingEmulators();
  if (missing.length > 0) throw new EmulatorsMissing(missing);
}
