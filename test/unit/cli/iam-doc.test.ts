// docs/iam.md says its four JSON documents are the exact output of the code
// with placeholders; this keeps them so when a policy changes.
import { readFile } from 'node:fs/promises';
import { resourceNames } from '../../../src/config/resource-names.js';
import { bucketPolicy } from '../../../src/infra/provisioning/bucket-config.js';
import { bucketArn, installationArns } from '../../../src/infra/iam/arns.js';
import { operatorPolicy } from '../../../src/infra/iam/operator-policy.js';
import { legacyBucketName } from '../../../src/config/resource-names.js';
import { lambdaPermissionPolicy, lambdaTrustPolicy } from '../../../src/infra/iam/policy.js';

it('docs/iam.md shows the trust, permission, bucket and operator policies exactly as generated', async () => {
  const doc = await readFile('docs/iam.md', 'utf8');
  const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1]!.trim());
  const names = { ...resourceNames('NAME'), bucket: 'BUCKET' };
  const arns = installationArns(names, { partition: 'aws', region: 'REGION', accountId: 'ACCOUNT' });
  const generated = [lambdaTrustPolicy('ACCOUNT'), lambdaPermissionPolicy(arns), JSON.parse(bucketPolicy('BUCKET', 'us-east-1')) as object,
    operatorPolicy(arns, bucketArn('aws', legacyBucketName('NAME'))),
  ];
  expect(blocks).toEqual(generated.map((document) => JSON.stringify(document, null, 2)));
});
