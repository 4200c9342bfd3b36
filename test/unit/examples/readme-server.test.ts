// The README shows examples/server/server.mjs in full; the example's e2e
// script tests the file, so the README must show exactly that file.
import { readFile } from 'node:fs/promises';

it('README.md contains examples/server/server.mjs verbatim', async () => {
  const [readme, server] = await Promise.all([readFile('README.md', 'utf8'), readFile('examples/server/server.mjs', 'utf8')]);
  expect(readme.includes(`\`\`\`js\n${server}\`\`\``)).toBe(true);
});
