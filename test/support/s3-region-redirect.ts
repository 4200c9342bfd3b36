// What the AWS SDK throws when S3 answers for a bucket in another region: a
// 301 (or a 400 in newer regions) with x-amz-bucket-region and no body, so
// `Unknown: UnknownError`, with the raw response attached non-enumerably as
// `$response` (checked against the real deserializer in aws-errors tests).
import { S3ServiceException } from '@aws-sdk/client-s3';

export function bucketRegionRedirect(status: 301 | 400, bucketRegion: string): S3ServiceException {
  const error = new S3ServiceException({ name: 'Unknown', $fault: 'client', $metadata: { httpStatusCode: status }, message: 'UnknownError' });
  Object.defineProperty(error, '$response', {
    value: { statusCode: status, headers: { 'x-amz-bucket-region': bucketRegion }, body: undefined },
    enumerable: false,
  });
  return error;
}
