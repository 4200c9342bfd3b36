// Two steps around a durable sleep: enough to exercise the event log, both
// queues and a delayed wake-up.
import { sleep } from 'workflow';

async function greet(name: string): Promise<string> {
  'use step';
  return `Hello, ${name}`;
}

async function exclaim(text: string): Promise<string> {
  'use step';
  return `${text}!`;
}

export async function hello(name: string): Promise<string> {
  'use workflow';
  const greeting = await greet(name);
  await sleep('1s');
  return await exclaim(greeting);
}
