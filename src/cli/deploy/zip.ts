// The deployment package: one file, zipped in process with a fixed timestamp
// so identical code yields an identical zip (and CodeSha256).
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { zipSync } from 'fflate';
import { LAMBDA_ENTRY_FILE } from '../../infra/lambda/settings.js';

const FIXED_MTIME = new Date('2020-01-01T00:00:00Z');

export interface LambdaZip {
  bytes: Uint8Array;
  /** Base64 SHA-256, the form Lambda reports as CodeSha256. */
  sha256: string;
}

export function zipLambda(code: Uint8Array): LambdaZip {
  return zipLambdaFiles({ [LAMBDA_ENTRY_FILE]: code });
}

/** Several files (the entry and its chunks), in name order so the zip is the same for the same files. */
export function zipLambdaFiles(files: Record<string, Uint8Array>): LambdaZip {
  const entries = Object.fromEntries(
    Object.keys(files)
      .sort()
      .map((name) => [name, [files[name]!, { level: 9, mtime: FIXED_MTIME }] as [Uint8Array, { level: 9; mtime: Date }]]),
  );
  const bytes = zipSync(entries);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('base64') };
}

export async function writeZip(path: string, zip: LambdaZip): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, zip.bytes);
}
