// The master key from an SSM SecureString parameter: the exact request, read
// once per process, errors that name the parameter (never the value), and the
// same run keys as with the key itself.
import { GetParameterCommand, ParameterNotFound, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { loadOnce } from '../../../../src/adapters/aws/ssm/index.js';
import { readMasterKeyParameter } from '../../../../src/adapters/aws/ssm/master-key-parameter.js';
import { createWorld } from '../../../../src/world/create-world.js';

const ssm = mockClient(SSMClient);
const NAME = '/workflow-aws/shop-worker/encryption-key';
const KEY = Buffer.alloc(32, 5);

beforeEach(() => ssm.reset());

it('sends GetParameter with decryption for exactly that name, and decodes the base64 key', async () => {
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: NAME, Type: 'SecureString', Value: KEY.toString('base64') } });
  const key = await readMasterKeyParameter(new SSMClient({ region: 'us-east-1' }), NAME);
  expect(Buffer.from(key).equals(KEY)).toBe(true);
  expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: NAME, WithDecryption: true }]);
});

it('a missing parameter names it, its variable and the command that writes it', async () => {
  ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: '', $metadata: { httpStatusCode: 400 } }));
  await expect(readMasterKeyParameter(new SSMClient({ region: 'us-east-1' }), NAME)).rejects.toThrow(
    `WORKFLOW_AWS_ENCRYPTION_KEY_PARAMETER names the SSM parameter "${NAME}", which does not exist: run \`aws-workflow bootstrap\` with WORKFLOW_AWS_ENCRYPTION_KEY set to write it`,
  );
});

it('a denied read names the parameter and the AWS error; a value that is not a 32-byte key is refused without echoing it', async () => {
  ssm.on(GetParameterCommand).rejects(new SSMServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'no' }));
  await expect(readMasterKeyParameter(new SSMClient({ region: 'us-east-1' }), NAME)).rejects.toThrow(/SSM parameter ".*encryption-key" .*AccessDeniedException/);
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: NAME, Value: 'c2hvcnQta2V5' } });
  const refused = readMasterKeyParameter(new SSMClient({ region: 'us-east-1' }), NAME);
  await expect(refused).rejects.toThrow(/must hold a base64 32-byte key; got 9 bytes/);
  await expect(refused).rejects.not.toThrow(/c2hvcnQta2V5|short-key/);
});

it('loadOnce reads once for concurrent and later callers, and tries again after a failure', async () => {
  let reads = 0;
  let fail = true;
  const load = loadOnce(async () => {
    reads++;
    if (fail) throw new Error('throttled');
    return new Uint8Array(KEY);
  });
  await expect(load()).rejects.toThrow('throttled');
  fail = false;
  const [a, b] = await Promise.all([load(), load()]);
  await load();
  expect(reads).toBe(2);
  expect(a).toBe(b);
});

it('a world configured with the parameter reads it once and derives the same run keys as with the key itself', async () => {
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: NAME, Type: 'SecureString', Value: KEY.toString('base64') } });
  const name = `ssm-key-${process.pid}-${Date.now()}`;
  const common = { name, region: 'us-east-1', consumer: 'none' as const };
  const fromParameter = createWorld({ ...common, encryptionKeyParameter: NAME });
  const again = createWorld({ ...common, encryptionKeyParameter: NAME });
  const direct = createWorld({ ...common, encryptionKey: new Uint8Array(KEY) });
  const expected = await direct.getEncryptionKeyForRun!('wrun_1');
  expect(await fromParameter.getEncryptionKeyForRun!('wrun_1')).toEqual(expected);
  expect(await again.getEncryptionKeyForRun!('wrun_2')).toEqual(await direct.getEncryptionKeyForRun!('wrun_2'));
  // One read per process, shared by the process's worlds.
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  await Promise.all([fromParameter, again, direct].map((w) => w.close?.()));
});
