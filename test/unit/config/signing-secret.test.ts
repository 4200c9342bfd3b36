// WORKFLOW_AWS_SIGNING_SECRET must be at least 32 bytes (HMAC-SHA256's output
// size): a shorter one can be guessed offline from one captured delivery.
import { resolveWorldConfig } from '../../../src/config/world-config.js';
import { createWorld } from '../../../src/world/create-world.js';

const SHORT = 'x'.repeat(31);
const ENOUGH = 'x'.repeat(32);

it('refuses a short secret from the environment, naming the variable, the length, the reason and how to make one', () => {
  const refused = () => resolveWorldConfig({}, { WORKFLOW_AWS_SIGNING_SECRET: SHORT });
  expect(refused).toThrow(/WORKFLOW_AWS_SIGNING_SECRET must be at least 32 bytes; got 31/);
  expect(refused).toThrow(/captures one signed delivery can test guesses of a short secret offline/);
  expect(refused).toThrow(/openssl rand -hex 32/);
});

it('refuses a short secret passed in code, naming the option, and never echoes the value', () => {
  let message = '';
  try {
    createWorld({ adapters: 'memory', consumer: 'none', signingSecret: 'hunter2-hunter2' });
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(/signingSecret must be at least 32 bytes; got 15/);
  expect(message).not.toContain('hunter2');
});

it('counts bytes, not characters', () => {
  // 16 two-byte characters are 32 bytes.
  expect(resolveWorldConfig({}, { WORKFLOW_AWS_SIGNING_SECRET: 'é'.repeat(16) }).signingSecret).toBe('é'.repeat(16));
  expect(() => resolveWorldConfig({}, { WORKFLOW_AWS_SIGNING_SECRET: 'é'.repeat(15) })).toThrow(/got 30/);
});

it('accepts 32 bytes or more, and no secret at all', () => {
  expect(resolveWorldConfig({}, { WORKFLOW_AWS_SIGNING_SECRET: ENOUGH }).signingSecret).toBe(ENOUGH);
  expect(resolveWorldConfig({}, {}).signingSecret).toBeUndefined();
});
