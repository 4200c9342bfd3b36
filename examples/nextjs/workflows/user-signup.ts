// The Workflow SDK's getting-started workflow: two steps, a durable sleep,
// a third step. Each step also writes a line to the run's stream, which the
// page shows live.
import { FatalError, getWritable, sleep } from 'workflow';

export interface User {
  id: string;
  email: string;
}

export async function handleUserSignup(email: string) {
  'use workflow';
  const user = await createUser(email);
  await sendWelcomeEmail(user);
  await sleep('2s'); // durable: no process waits, the queue wakes the run
  await sendOnboardingEmail(user);
  await closeLog();
  return { userId: user.id, status: 'onboarded' };
}

async function log(line: string): Promise<void> {
  const writer = getWritable<string>().getWriter();
  await writer.write(line);
  writer.releaseLock();
}

async function createUser(email: string): Promise<User> {
  'use step';
  const user = { id: crypto.randomUUID(), email };
  await log(`created user ${user.id}`);
  return user;
}

async function sendWelcomeEmail(user: User): Promise<void> {
  'use step';
  await log(`sent the welcome email to ${user.email}`);
}

async function sendOnboardingEmail(user: User): Promise<void> {
  'use step';
  if (!user.email.includes('@')) throw new FatalError('Invalid email'); // not retried
  await log(`sent the onboarding email to ${user.email}`);
}

async function closeLog(): Promise<void> {
  'use step';
  await getWritable().close();
}
