// The not-yet-deployed handler function fails loudly; every command documents examples.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import Bootstrap from '../../../src/cli/commands/bootstrap.js';
import Deploy from '../../../src/cli/commands/deploy.js';
import Dev from '../../../src/cli/commands/dev.js';
import Outputs from '../../../src/cli/commands/outputs.js';
import Teardown from '../../../src/cli/commands/teardown.js';
import DlqDrop from '../../../src/cli/commands/dlq/drop.js';
import DlqList from '../../../src/cli/commands/dlq/list.js';
import DlqPurge from '../../../src/cli/commands/dlq/purge.js';
import DlqRedrive from '../../../src/cli/commands/dlq/redrive.js';
import DlqShow from '../../../src/cli/commands/dlq/show.js';
import Status from '../../../src/cli/commands/status.js';
import { ROOT_EXAMPLES } from '../../../src/cli/help.js';
import { formatDotenv } from '../../../src/cli/output/dotenv.js';
import { NOT_DEPLOYED_MESSAGE, undeployedHandlerZip } from '../../../src/infra/lambda/undeployed-handler.js';

describe('not-yet-deployed handler function code', () => {
  it('rejects every invocation with the "not deployed yet" message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aws-workflow-not-yet-deployed handler-'));
    try {
      const file = join(dir, 'index.mjs');
      await writeFile(file, unzipSync(undeployedHandlerZip())['index.mjs']!);
      const { handler } = (await import(file)) as { handler: (event: unknown) => Promise<unknown> };
      await expect(handler({ Records: [{ messageId: 'm1' }] })).rejects.toThrow(NOT_DEPLOYED_MESSAGE);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is byte-identical on every build, so bootstrap never sees a code change', () => {
    expect(Buffer.from(undeployedHandlerZip()).equals(Buffer.from(undeployedHandlerZip()))).toBe(true);
  });
});

describe('help', () => {
  it.each([Bootstrap, Deploy, Outputs, Teardown, Dev, Status, DlqList, DlqShow, DlqRedrive, DlqDrop, DlqPurge])('%p has a summary and examples', (command) => {
    expect(command.summary).toBeTruthy();
    expect(command.examples?.length).toBeGreaterThanOrEqual(2);
  });

  it('describes every topic itself (else oclif shows its first command\'s summary as the topic\'s)', async () => {
    const topics = (await readdir('src/cli/commands', { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    const declared = (JSON.parse(await readFile('package.json', 'utf8')) as { oclif: { topics?: Record<string, { description?: string }> } }).oclif.topics ?? {};
    expect(topics).toEqual(['dlq']);
    for (const topic of topics) expect({ topic, description: declared[topic]?.description }).toEqual({ topic, description: expect.stringMatching(/list, show, redrive, drop or purge/) });
  });

  it('has root examples that use only real commands', () => {
    const ids = new Set(['bootstrap', 'deploy', 'outputs', 'teardown', 'dev', 'status', 'dlq']);
    for (const [command] of ROOT_EXAMPLES) expect(ids.has(command.split(' ')[1]!)).toBe(true);
  });
});

describe('dotenv', () => {
  it('quotes only values that need it and prefixes the header as comments', () => {
    expect(formatDotenv({ A: 'https://sqs.us-east-1.amazonaws.com/1/q', B: 'two words', C: '' }, 'one\ntwo')).toBe(
      '# one\n# two\nA=https://sqs.us-east-1.amazonaws.com/1/q\nB="two words"\nC=\n',
    );
  });
});
