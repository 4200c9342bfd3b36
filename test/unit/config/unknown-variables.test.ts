// A WORKFLOW_AWS_* variable that no setting reads is named, with the likely intended one.
import { describeUnknownVariable, knownVariables, unknownVariables } from '../../../src/config/unknown-variables.js';
import { SETTINGS } from '../../../src/config/settings.js';
import { resolveWorldConfig } from '../../../src/config/world-config.js';
import { ProcessScope } from '../../../src/process-scope.js';
import { compose } from '../../../src/world/compose.js';

it('names misspelt variables with a did-you-mean, including the SDK variable a prefix hides', () => {
  const found = unknownVariables({ WORKFLOW_AWS_CONSUMMER: 'none', WORKFLOW_AWS_REGION: 'eu-west-1', WORKFLOW_AWS_NAME: 'x', WORKFLOW_AWS_WHATEVER_ELSE_ENTIRELY: '1', AWS_REGION: 'us-east-1' });
  expect(found).toEqual([
    { variable: 'WORKFLOW_AWS_CONSUMMER', suggestion: 'WORKFLOW_AWS_CONSUMER' },
    { variable: 'WORKFLOW_AWS_REGION', suggestion: 'AWS_REGION' },
    { variable: 'WORKFLOW_AWS_WHATEVER_ELSE_ENTIRELY' },
  ]);
  expect(describeUnknownVariable(found[0]!)).toBe('WORKFLOW_AWS_CONSUMMER is not a setting of @workflow/world-aws and is ignored; did you mean WORKFLOW_AWS_CONSUMER?');
  expect(describeUnknownVariable(found[2]!)).toMatch(/is ignored \(README, Configuration, lists them\)/);
});

it('knows every variable a setting reads, the table and bucket names and the spec aliases', () => {
  const known = knownVariables();
  for (const setting of Object.values(SETTINGS)) for (const variable of setting.env) expect(known).toContain(variable);
  expect(known).toEqual(expect.arrayContaining(['WORKFLOW_AWS_RUNS_TABLE', 'WORKFLOW_AWS_BUCKET', 'WORKFLOW_AWS_STREAM_BUCKET']));
  expect(unknownVariables(Object.fromEntries(known.map((v) => [v, '1'])))).toEqual([]);
});

it('a world warns once per process, however many instances the runtime builds', () => {
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, warn: (message: string) => warnings.push(message), error() {} };
  const saved = process.env.WORKFLOW_AWS_CONSUMMER;
  process.env.WORKFLOW_AWS_CONSUMMER = 'none';
  try {
    const scope = new ProcessScope();
    const config = resolveWorldConfig({ adapters: 'memory', consumer: 'none' }, {});
    compose(config, scope, { logger });
    compose(config, scope, { logger });
  } finally {
    if (saved === undefined) delete process.env.WORKFLOW_AWS_CONSUMMER;
    else process.env.WORKFLOW_AWS_CONSUMMER = saved;
  }
  expect(warnings.filter((w) => w.startsWith('WORKFLOW_AWS_CONSUMMER is not a setting'))).toHaveLength(1);
});
