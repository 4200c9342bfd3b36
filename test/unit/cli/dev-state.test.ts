// Several `aws-workflow dev` at once: two installations, or two projects with
// the same installation name, each keep their own state file, and `--local`
// finds each one (by name, then by the project directory it runs in).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDev, removeDevState, runningDevNames, writeDevState, type DevState } from '../../../src/cli/local/dev-state.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aws-workflow-devstate-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Two live processes: this one and its parent.
const devOf = (name: string, pid: number, project: string, port: number): DevState => ({
  pid,
  name,
  region: 'us-east-1',
  endpoints: { dynamodb: `http://127.0.0.1:${port}`, sqs: `http://127.0.0.1:${port + 1}`, s3: `http://127.0.0.1:${port + 1}` },
  queueUrls: { workflow: 'w', step: 's' },
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  startedAt: new Date().toISOString(),
  project,
});

it('two projects with the same name: two files; each project finds its own; stopping one keeps the other', async () => {
  await writeDevState(devOf('workflow', process.pid, '/work/shop', 8000), dir);
  await writeDevState(devOf('workflow', process.ppid, '/work/blog', 9000), dir);
  expect(await readdir(dir)).toHaveLength(2);
  expect((await findDev('workflow', dir, '/work/shop'))?.endpoints.dynamodb).toBe('http://127.0.0.1:8000');
  expect((await findDev('workflow', dir, '/work/blog/app/api'))?.endpoints.dynamodb).toBe('http://127.0.0.1:9000');
  await expect(findDev('workflow', dir, '/elsewhere')).rejects.toThrow(
    /2 `aws-workflow dev` serve installation "workflow" \(pid \d+ in \/work\/(shop|blog), pid \d+ in \/work\/(shop|blog)\): run this command in the project directory/,
  );
  await removeDevState('workflow', process.pid, dir);
  expect((await findDev('workflow', dir, '/elsewhere'))?.endpoints.dynamodb).toBe('http://127.0.0.1:9000');
});

it('two installations: each found by its name, from anywhere', async () => {
  await writeDevState(devOf('shop', process.pid, '/work/shop', 8000), dir);
  await writeDevState(devOf('blog', process.ppid, '/work/blog', 9000), dir);
  expect(await runningDevNames(dir)).toEqual(['blog', 'shop']);
  expect((await findDev('shop', dir, '/'))?.pid).toBe(process.pid);
  expect((await findDev('blog', dir, '/'))?.pid).toBe(process.ppid);
});
