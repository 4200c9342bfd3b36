// The settings table (src/config/settings.ts): the README's configuration table
// is it in prose, and options passed in code are checked like variables.
import { readFileSync } from 'node:fs';
import { readmeRows, SETTINGS } from '../../../src/config/settings.js';
import { ConfigError, resolveWorldConfig } from '../../../src/config/world-config.js';

function readmeTable(): string[][] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'));
  const lines = section.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| Option |'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
  }
  return rows;
}

it('the README lists every setting as the settings table declares it', () => {
  expect(readmeTable()).toEqual(readmeRows());
});

describe('values passed in code', () => {
  it('are checked against the same range as their variables', () => {
    expect(() => resolveWorldConfig({ concurrency: 0 }, {})).toThrow(new ConfigError('concurrency must be an integer from 1 to 1000; got 0'));
    expect(() => resolveWorldConfig({}, { WORKFLOW_AWS_CONCURRENCY: '0' })).toThrow(new ConfigError('WORKFLOW_AWS_CONCURRENCY must be an integer from 1 to 1000; got "0"'));
    expect(() => resolveWorldConfig({ maxDelaySeconds: 901 }, {})).toThrow(/maxDelaySeconds must be an integer from 1 to 900/);
    expect(() => resolveWorldConfig({ visibilitySeconds: 1.5 }, {})).toThrow(/visibilitySeconds must be an integer/);
    expect(() => resolveWorldConfig({ consumer: 'cron' as never }, {})).toThrow(/consumer must be one of process, lambda, none; got "cron"/);
    expect(() => resolveWorldConfig({ preconditionGuard: 'yes' as never }, {})).toThrow(/preconditionGuard must be true or false/);
    expect(() => resolveWorldConfig({ logLevel: 'loud' as never }, {})).toThrow(/logLevel must be one of debug, info, warn, error, silent/);
  });

  it('win over the environment, which wins over the default', () => {
    expect(resolveWorldConfig({ concurrency: 3 }, { WORKFLOW_AWS_CONCURRENCY: '7' }).concurrency).toBe(3);
    expect(resolveWorldConfig({}, { WORKFLOW_AWS_CONCURRENCY: '7' }).concurrency).toBe(7);
    expect(resolveWorldConfig({}, {}).concurrency).toBe(SETTINGS.concurrency.fallback('workflow'));
  });

  it('every setting is a createWorld option', () => {
    for (const key of Object.keys(SETTINGS)) expect(() => resolveWorldConfig({ [key]: undefined }, {})).not.toThrow();
  });
});
