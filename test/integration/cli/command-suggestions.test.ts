// A mistyped command names the nearest one and exits 127, also without a
// terminal (in one, @oclif/plugin-not-found asks "Did you mean …?" instead).
import { spawnSync } from 'node:child_process';

const run = (...args: string[]) => spawnSync(process.execPath, ['bin/run.js', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

it.each([
  [['stauts'], 'aws-workflow status'],
  [['dlq', 'lsit'], 'aws-workflow dlq list'],
  [['bootstrp', '--name', 'x'], 'aws-workflow bootstrap'],
])('%j suggests `%s`', (argv, suggestion) => {
  const out = run(...argv);
  expect(out.status).toBe(127);
  expect(out.stderr).toContain(`Did you mean \`${suggestion}\`?`);
  expect(out.stderr).toContain('is not a aws-workflow command');
});
