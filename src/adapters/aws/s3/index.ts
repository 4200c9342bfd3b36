export { createS3Client } from './client.js';
export { S3BlobStore } from './s3-blob-store.js';
