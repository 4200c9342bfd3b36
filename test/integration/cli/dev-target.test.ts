// Every command against `aws-workflow dev`: with the environment dev prints
// loaded (per-service AWS_ENDPOINT_URL_*, queue URLs on 127.0.0.1), and with
// `--local`, which finds dev through the state file it writes.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import Bootstrap from '../../../src/cli/commands/bootstrap.js';
import Dev from '../../../src/cli/commands/dev.js';
import DlqList from '../../../src/cli/commands/dlq/list.js';
import Outputs from '../../../src/cli/commands/outputs.js';
import Status from '../../../src/cli/commands/status.js';
import Verify from '../../../src/cli/commands/verify.js';
import type { OutputsResult } from '../../../src/cli/operations/outputs.js';
import type { StatusResult } from '../../../src/cli/operations/status.js';
import { devStateDir } from '../../../src/cli/local/dev-state.js';
import { runCommand } from '../../unit/cli/helpers/run-command.js';

jest.setTimeout(60_000);

const saved = { ...process.env };
let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'aws-workflow-state-'));
  process.env.AWS_WORKFLOW_STATE_DIR = stateDir;
});

afterAll(async () => {
  process.env = saved;
  await rm(stateDir, { recursive: true, force: true });
});

it('outputs, status, verify, dlq list and bootstrap exit 0 against dev, from its env or with --local', async () => {
  let devEnv: Record<string, string> = {};
  const ready = new Promise<void>((resolve) => {
    class Observed extends Dev {
      override logJson(json: unknown): void {
        devEnv = (json as { env: Record<string, string> }).env;
        resolve();
      }
    }
    void runCommand(Observed, ['--name', 'devtarget', '--json']).then((run) => expect(run.exitCode).toBe(0));
  });
  await ready;
  try {
    expect(devEnv.WORKFLOW_AWS_STEP_QUEUE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(await readdir(devStateDir())).toEqual(expect.arrayContaining([expect.stringMatching(/dev-devtarget-\d+\.json$/)]));

    // `set -a; . .env; set +a` in a shell: the CLI reads the same variables.
    const before = { ...process.env };
    Object.assign(process.env, devEnv);
    try {
      const outputs = await runCommand(Outputs, ['--json']);
      expect(outputs.exitCode).toBe(0);
      const env = (outputs.result as OutputsResult).env;
      expect(env.WORKFLOW_AWS_STEP_QUEUE_URL).toBe(devEnv.WORKFLOW_AWS_STEP_QUEUE_URL);
      expect(env.AWS_ENDPOINT_URL_DYNAMODB).toBe(devEnv.AWS_ENDPOINT_URL_DYNAMODB);
      expect(env.WORKFLOW_AWS_CONSUMER).toBe('process');

      const status = await runCommand(Status, ['--json']);
      expect(status.exitCode).toBe(0);
      const s = status.result as StatusResult;
      expect(s.queues.map((q) => [q.role, q.visible, q.inFlight, q.delayed])).toEqual([
        ['workflow', 0, 0, 0],
        ['step', 0, 0, 0],
        ['workflowDlq', 0, 0, 0],
        ['stepDlq', 0, 0, 0],
      ]);
      expect(s.drift).toEqual([]);
      expect(s.skipped[0]).toMatch(/Lambda not looked up/);

      const dlq = await runCommand(DlqList, ['--json']);
      expect(dlq.exitCode).toBe(0);
      expect(dlq.result).toEqual({ messages: [] });

      // What the start-up check advises for a missing resource: the local AWS has no
      // point-in-time recovery (on by default for the events table), so it is skipped, saying so.
      const boot = await runCommand(Bootstrap, ['--write-env', join(stateDir, '.env.from-env')]);
      expect({ exitCode: boot.exitCode, stderr: boot.stderr }).toEqual({ exitCode: 0, stderr: expect.stringContaining('no DynamoDB point-in-time recovery: skipping it') });
    } finally {
      process.env = before;
    }

    const viaLocal = await runCommand(Status, ['--local', '--name', 'devtarget', '--json', '--no-runs']);
    expect(viaLocal.exitCode).toBe(0);
    const bootLocal = await runCommand(Bootstrap, ['--local', '--name', 'devtarget', '--write-env', join(stateDir, '.env.local-boot')]);
    expect({ exitCode: bootLocal.exitCode, stderr: bootLocal.stderr }).toEqual({ exitCode: 0, stderr: expect.stringContaining('no DynamoDB point-in-time recovery: skipping it') });
    expect(bootLocal.stdout).toContain('all 10 resources were already present');
    const verified = await runCommand(Verify, ['--local', '--name', 'devtarget', '--json']);
    expect(verified.exitCode).toBe(0);
    expect(verified.result).toEqual({ runsChecked: 0, drift: [], late: [], repaired: [] });
    const wrongName = await runCommand(Status, ['--local', '--name', 'other', '--json']);
    expect(wrongName.exitCode).toBe(1);
    expect(wrongName.stdout).toContain('pass --name devtarget');
  } finally {
    process.emit('SIGINT');
  }
  // dev removes its state file when it stops.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect((await readdir(devStateDir())).filter((f) => f.startsWith('dev-'))).toEqual([]);
});
