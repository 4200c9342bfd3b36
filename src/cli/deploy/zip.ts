// The deployment package: one file, zipped in process with a fixed timestamp
// so identical code yields an identical zip (and CodeSha256).
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { zipSync } from 'fflate';
import { LAMBDA_ENTRY_FILE } from '../lambda/settings.js';

const FIXED_MTIME = new Date('2020-01-01T00:00:00Z');

export interface LambdaZip {
  bytes: Uint8Array;
  /** Base64 SHA-256, the form Lambda reports as CodeSha256. */
  sha256: string;
}

export function zipLambda(code: Uint8Array): LambdaZip {
  const bytes = zipSync({ [LAMBDA_ENTRY_FILE]: [code, { level: 9, mtime: FIXED_MTIME }] });
  return { bytes, sha256: createHash('sha256').update(bytes).digest('base64') };
}

export async function writeZip(path: string, zip: LambdaZip): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, zip.bytes);
}
