// A yes/no question on the terminal. Without a terminal there is nobody to
// ask, so destructive commands must be confirmed with --yes instead.
import { createInterface } from 'node:readline/promises';
import { CliFailure } from '../errors.js';

export type Confirm = (question: string) => Promise<boolean>;

export const terminalConfirm: Confirm = async (question) => {
  if (!process.stdin.isTTY) throw new CliFailure('Refusing to continue without confirmation: no terminal to ask, pass --yes to confirm.');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
};
