// The payload master key from an SSM SecureString parameter, so the worker
// function's configuration names the parameter instead of holding the key.
// Read once per process (load-once.ts): the Lambda's cold start, or the first
// run key an app derives. Imported only when a parameter is configured, so a
// world without one never evaluates the SSM client.
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { WorldConfig } from '../../../config/world-config.js';
import { ConfigError } from '../../../config/config-error.js';
import { awsErrorName, hasErrorName } from '../aws-errors.js';

const MASTER_KEY_BYTES = 32;

export function createSsmClient(config: Pick<WorldConfig, 'region'>): SSMClient {
  return new SSMClient({ region: config.region });
}

/** GetParameter with decryption; the value must be a base64 32-byte key. Errors name the parameter, never the value. */
export async function readMasterKeyParameter(client: SSMClient, name: string): Promise<Uint8Array> {
  let value: string | undefined;
  try {
    const output = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    value = output.Parameter?.Value;
  } catch (error) {
    if (hasErrorName(error, 'ParameterNotFound')) {
      throw new ConfigError(
        `WORKFLOW_AWS_ENCRYPTION_KEY_PARAMETER names the SSM parameter "${name}", which does not exist: run \`aws-workflow bootstrap\` with WORKFLOW_AWS_ENCRYPTION_KEY set to write it`,
      );
    }
    throw new Error(`Could not read the encryption key from SSM parameter "${name}" (WORKFLOW_AWS_ENCRYPTION_KEY_PARAMETER): ${awsErrorName(error) ?? 'Error'}`, {
      cause: error,
    });
  }
  const key = value === undefined ? undefined : new Uint8Array(Buffer.from(value, 'base64'));
  if (!key || key.byteLength !== MASTER_KEY_BYTES) {
    throw new ConfigError(`SSM parameter "${name}" (WORKFLOW_AWS_ENCRYPTION_KEY_PARAMETER) must hold a base64 32-byte key; got ${key?.byteLength ?? 0} bytes`);
  }
  return key;
}
