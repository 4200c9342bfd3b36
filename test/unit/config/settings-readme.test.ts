// The README's configuration table is the settings table (src/config/settings.ts)
// in prose: same options, variables, defaults and meanings, in the same order.
import { readFileSync } from 'node:fs';
import { readmeRows } from '../../../src/config/settings.js';

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
