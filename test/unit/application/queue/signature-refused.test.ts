// Mismatched secrets: the delivering side's failure names the variable to fix.
import { readDeliveryResponse } from '../../../../src/application/queue/delivery-protocol.js';

it('a 401 from the app says to set the same WORKFLOW_AWS_SIGNING_SECRET on both sides', async () => {
  const result = await readDeliveryResponse(Response.json({ error: 'Invalid signature' }, { status: 401 }));
  expect(result).toMatchObject({ kind: 'failed', status: 401 });
  expect((result as { reason: string }).reason).toBe(
    "HTTP 401: Invalid signature; the app refused this process's delivery signature: set the same WORKFLOW_AWS_SIGNING_SECRET in this process and in the app",
  );
});

it('other failures carry no such hint', async () => {
  const result = await readDeliveryResponse(Response.json({ error: 'boom' }, { status: 500 }));
  expect((result as { reason: string }).reason).not.toContain('WORKFLOW_AWS_SIGNING_SECRET');
});
