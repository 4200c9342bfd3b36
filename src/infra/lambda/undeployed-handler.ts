// The code a freshly bootstrapped function runs until the first deploy. It
// fails every invocation with a clear message instead of pretending success,
// so messages stay on the queue (and reach the DLQ) rather than being dropped.
import { zipSync } from 'fflate';
import { LAMBDA_ENTRY_FILE } from './settings.js';

export const NOT_DEPLOYED_MESSAGE = 'aws-workflow: no workflows deployed to this function yet; run `aws-workflow deploy`';

const source = `export const handler = async () => {
  throw new Error(${JSON.stringify(NOT_DEPLOYED_MESSAGE)});
};
`;

/** A fixed timestamp keeps the zip (and its CodeSha256) identical across runs. */
const FIXED_MTIME = new Date('2020-01-01T00:00:00Z');

export function undeployedHandlerSource(): string {
  return source;
}

export function undeployedHandlerZip(): Uint8Array {
  return zipSync({ [LAMBDA_ENTRY_FILE]: [new TextEncoder().encode(source), { level: 9, mtime: FIXED_MTIME }] });
}
