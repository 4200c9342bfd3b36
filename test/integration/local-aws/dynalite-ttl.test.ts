// UpdateTimeToLive / DescribeTimeToLive on dynalite with the add-on.
import { DeleteTableCommand, DescribeTimeToLiveCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { createTestTable, dynaliteFixture, rejection, type DynaliteFixture } from './dynalite-helpers.js';

let fx: DynaliteFixture;

beforeAll(async () => {
  fx = await dynaliteFixture();
});

afterAll(async () => {
  await fx.stop();
});

const describeTtl = async (TableName: string) => (await fx.client.send(new DescribeTimeToLiveCommand({ TableName }))).TimeToLiveDescription;
const setTtl = (TableName: string, Enabled: boolean, AttributeName = 'expiresAt') =>
  fx.client.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { AttributeName, Enabled } }));

it('starts disabled, is enabled by UpdateTimeToLive and described that way', async () => {
  await createTestTable(fx.client, 'ttl-a');
  expect(await describeTtl('ttl-a')).toEqual({ TimeToLiveStatus: 'DISABLED' });
  const out = await setTtl('ttl-a', true);
  expect(out.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  expect(await describeTtl('ttl-a')).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
});

it('refuses enabling twice and disabling what is not enabled', async () => {
  await createTestTable(fx.client, 'ttl-b');
  expect((await rejection(setTtl('ttl-b', false))).message).toBe('TimeToLive is already disabled');
  await setTtl('ttl-b', true);
  const again = await rejection(setTtl('ttl-b', true, 'other'));
  expect(again.name).toBe('ValidationException');
  expect(again.message).toBe('TimeToLive is already enabled');
  await setTtl('ttl-b', false);
  expect(await describeTtl('ttl-b')).toEqual({ TimeToLiveStatus: 'DISABLED' });
});

it('forgets the setting when the table is deleted and created again', async () => {
  await createTestTable(fx.client, 'ttl-c');
  await setTtl('ttl-c', true);
  await fx.client.send(new DeleteTableCommand({ TableName: 'ttl-c' }));
  await createTestTable(fx.client, 'ttl-c');
  expect(await describeTtl('ttl-c')).toEqual({ TimeToLiveStatus: 'DISABLED' });
});

it('answers ResourceNotFoundException for a missing table and validates the request', async () => {
  expect((await rejection(setTtl('ttl-none', true))).name).toBe('ResourceNotFoundException');
  expect((await rejection(describeTtl('ttl-none'))).name).toBe('ResourceNotFoundException');
  const empty = await rejection(setTtl('ttl-a', true, ''));
  expect(empty.name).toBe('ValidationException');
  expect(empty.message).toContain("at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1");
});
