// Runs an oclif command class in-process with an injected client factory,
// capturing stdout/stderr and the exit code.
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { Config, Errors } from '@oclif/core';
import type { AwsCommand } from '../../../../src/cli/base-command.js';
import type { ClientFactory } from '../../../../src/cli/aws/clients.js';

export interface CommandRun {
  stdout: string;
  stderr: string;
  exitCode: number;
  result: unknown;
}

let config: Config | undefined;

/**
 * The commands under test are constructed directly, so oclif need not
 * discover them: discovery would import dist/ from inside jest's module
 * sandbox, which oclif reports as (harmless, noisy) link failures.
 */
async function loadConfigWithoutCommandDiscovery(): Promise<Config> {
  const root = process.cwd();
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { oclif: Record<string, unknown> };
  delete pjson.oclif.commands;
  return Config.load({ root, pjson: pjson as never });
}

type AwsCommandClass = new (argv: string[], config: Config) => AwsCommand;

export async function runCommand(
  Command: AwsCommandClass,
  argv: string[],
  inject: { factory?: ClientFactory; sleep?: () => Promise<void> } = {},
): Promise<CommandRun> {
  config ??= await loadConfigWithoutCommandDiscovery();
  const cmd = new Command(argv, config);
  if (inject.factory) cmd.clientFactory = inject.factory;
  if (inject.sleep) cmd.sleep = inject.sleep;
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  // oclif writes through console.log/console.error.
  const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void (stdout += `${format(...args)}\n`));
  const error = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void (stderr += `${format(...args)}\n`));
  let exitCode = 0;
  let result: unknown;
  try {
    result = await (cmd as unknown as { _run(): Promise<unknown> })._run();
  } catch (thrown) {
    if (thrown instanceof Errors.ExitError) exitCode = thrown.oclif.exit ?? 1;
    else if (thrown instanceof Errors.CLIError) {
      exitCode = thrown.oclif.exit ?? 2;
      stderr += thrown.message;
    } else throw thrown;
  } finally {
    // A command that returns its result (printed under --json) and still fails sets process.exitCode.
    if (exitCode === 0 && typeof process.exitCode === 'number') exitCode = process.exitCode;
    out.mockRestore();
    err.mockRestore();
    log.mockRestore();
    error.mockRestore();
    // A command that reports and then exits non-zero (status) sets the exit code without throwing.
    if (exitCode === 0 && typeof process.exitCode === 'number') exitCode = process.exitCode;
    process.exitCode = undefined;
  }
  return { stdout, stderr, exitCode, result };
}
