// Ships a zip to the worker function: directly when small enough, through the
// installation's bucket otherwise; then waits for the update and publishes a version.
import {
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionUpdatedV2,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DEPLOYMENT_KEY_PREFIX, DIRECT_UPLOAD_LIMIT_BYTES } from '../../infra/lambda/settings.js';
import { untimed, type PhaseRunner } from '../output/phases.js';
import type { Architecture } from './function-settings.js';
import type { LambdaZip } from './zip.js';

export interface UploadResult {
  via: 'direct' | 's3';
  s3Key?: string;
  version: string;
  codeSha256: string;
}

export async function uploadCode(
  clients: { lambda: LambdaClient; s3: S3Client },
  target: { functionName: string; bucket: string },
  zip: LambdaZip,
  description: string,
  options: { phase?: PhaseRunner; architecture?: Architecture } = {},
): Promise<UploadResult> {
  const { lambda, s3 } = clients;
  const phase = options.phase ?? untimed;
  const architectures = options.architecture ? { Architectures: [options.architecture] } : {};
  // A bootstrap or earlier deploy still settling would reject the upload.
  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 300 }, { FunctionName: target.functionName });
  let via: UploadResult['via'] = 'direct';
  let s3Key: string | undefined;
  await phase('upload', `uploading to ${target.functionName}`, async () => {
    if (zip.bytes.byteLength <= DIRECT_UPLOAD_LIMIT_BYTES) {
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: target.functionName, ZipFile: zip.bytes, ...architectures }));
    } else {
      via = 's3';
      s3Key = `${DEPLOYMENT_KEY_PREFIX}${target.functionName}/${hexOf(zip.sha256)}.zip`;
      await s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: s3Key, Body: zip.bytes, ContentType: 'application/zip' }));
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: target.functionName, S3Bucket: target.bucket, S3Key: s3Key, ...architectures }));
    }
  });
  await phase('wait', 'waiting for the function to update', () =>
    waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 600 }, { FunctionName: target.functionName }),
  );
  // Lambda keeps its own copy of the code; the staged zip is no longer needed.
  if (s3Key) await s3.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: s3Key }));
  // CodeSha256 makes the publish fail if someone else's code landed in between.
  const published = await phase('publish', 'publishing a version', () =>
    lambda.send(new PublishVersionCommand({ FunctionName: target.functionName, CodeSha256: zip.sha256, Description: description.slice(0, 256) })),
  );
  if (!published.Version) throw new Error(`PublishVersion returned no version for ${target.functionName}`);
  return { via, ...(s3Key ? { s3Key } : {}), version: published.Version, codeSha256: zip.sha256 };
}

function hexOf(base64: string): string {
  return Buffer.from(base64, 'base64').toString('hex');
}
