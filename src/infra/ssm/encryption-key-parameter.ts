// The worker function's payload master key, as an SSM SecureString parameter
// (AWS managed key aws/ssm): the function's configuration names the parameter
// and never holds the key, so GetFunctionConfiguration reveals nothing.
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { hasErrorName } from '../../adapters/aws/aws-errors.js';
import type { Progress } from '../progress.js';

const isMissingParameter = (error: unknown) => hasErrorName(error, 'ParameterNotFound');

/** Writes `keyBase64` unless the parameter already holds it (each PutParameter is a new version). */
export async function ensureEncryptionKeyParameter(
  ssm: SSMClient,
  spec: { name: string; installation: string; keyBase64: string },
  progress: Progress,
): Promise<void> {
  let current: string | undefined;
  try {
    current = (await ssm.send(new GetParameterCommand({ Name: spec.name, WithDecryption: true }))).Parameter?.Value;
  } catch (error) {
    if (!isMissingParameter(error)) throw error;
  }
  if (current === spec.keyBase64) {
    progress({ kind: 'parameter', name: spec.name, status: 'present' });
    return;
  }
  await ssm.send(
    new PutParameterCommand({
      Name: spec.name,
      Value: spec.keyBase64,
      Type: 'SecureString',
      Overwrite: current !== undefined,
      Description: `Payload encryption key of workflow installation ${spec.installation}`,
    }),
  );
  progress({ kind: 'parameter', name: spec.name, status: current === undefined ? 'created' : 'updated' });
}

export async function deleteEncryptionKeyParameter(ssm: SSMClient, name: string, progress: Progress): Promise<void> {
  try {
    await ssm.send(new DeleteParameterCommand({ Name: name }));
    progress({ kind: 'parameter', name, status: 'deleted' });
  } catch (error) {
    if (!isMissingParameter(error)) throw error;
    progress({ kind: 'parameter', name, status: 'absent' });
  }
}
