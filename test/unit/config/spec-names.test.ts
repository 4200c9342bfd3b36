// The original spec's names: aliases of the package's own, conflicts named,
// unknown option keys answered with the nearest known key.
import { ConfigError, resolveWorldConfig, type WorldConfigInput } from '../../../src/config/world-config.js';
import { nearestKey } from '../../../src/config/spec-names.js';
import { createWorld } from '../../../src/world/create-world.js';

const SPEC_ENV = {
  AWS_REGION: 'eu-west-1',
  WORKFLOW_AWS_WORKFLOW_QUEUE_URL: 'http://sqs.local/000000000000/seedapp-workflow',
  WORKFLOW_AWS_STEP_QUEUE_URL: 'http://sqs.local/000000000000/seedapp-step',
  WORKFLOW_AWS_RUNS_TABLE: 'seedapp_runs',
  WORKFLOW_AWS_STEPS_TABLE: 'seedapp_steps',
  WORKFLOW_AWS_EVENTS_TABLE: 'seedapp_events',
  WORKFLOW_AWS_HOOKS_TABLE: 'seedapp_hooks',
  WORKFLOW_AWS_STREAMS_TABLE: 'seedapp_stream_chunks',
  WORKFLOW_AWS_STREAM_BUCKET: 'seedapp-streams',
};

const SPEC_OPTIONS: WorldConfigInput = {
  region: 'eu-west-1',
  queueUrl: SPEC_ENV.WORKFLOW_AWS_WORKFLOW_QUEUE_URL,
  stepQueueUrl: SPEC_ENV.WORKFLOW_AWS_STEP_QUEUE_URL,
  runsTable: 'seedapp_runs',
  stepsTable: 'seedapp_steps',
  eventsTable: 'seedapp_events',
  hooksTable: 'seedapp_hooks',
  streamChunksTable: 'seedapp_stream_chunks',
  streamBucket: 'seedapp-streams',
};

const EXPECTED = {
  region: 'eu-west-1',
  workflowQueueUrl: SPEC_ENV.WORKFLOW_AWS_WORKFLOW_QUEUE_URL,
  stepQueueUrl: SPEC_ENV.WORKFLOW_AWS_STEP_QUEUE_URL,
  resources: expect.objectContaining({
    tables: { runs: 'seedapp_runs', steps: 'seedapp_steps', events: 'seedapp_events', hooks: 'seedapp_hooks', streams: 'seedapp_stream_chunks' },
    bucket: 'seedapp-streams',
  }),
};

describe('the spec names', () => {
  it('configure every resource from the environment alone', () => {
    expect(resolveWorldConfig({}, SPEC_ENV)).toMatchObject(EXPECTED);
  });

  it('configure every resource from the createWorld options alone', () => {
    expect(resolveWorldConfig(SPEC_OPTIONS, {})).toMatchObject(EXPECTED);
  });

  it('agree with the package names when both say the same', () => {
    const config = resolveWorldConfig(
      { queueUrl: 'http://q/wf', workflowQueueUrl: 'http://q/wf', streamBucket: 'b', resources: { bucket: 'b' } },
      { WORKFLOW_AWS_STREAM_BUCKET: 'b', WORKFLOW_AWS_BUCKET: 'b' },
    );
    expect(config.workflowQueueUrl).toBe('http://q/wf');
    expect(config.resources.bucket).toBe('b');
  });

  it('keep the other tables at their defaults when one alias is set', () => {
    const config = resolveWorldConfig({ name: 'shop', runsTable: 'shop_runs' }, {});
    expect(config.resources.tables).toEqual({ runs: 'shop_runs', steps: 'shop-steps', events: 'shop-events', hooks: 'shop-hooks', streams: 'shop-streams' });
  });

  it('let an option alias win over the environment, as every option does', () => {
    expect(resolveWorldConfig({ streamBucket: 'from-option' }, { WORKFLOW_AWS_STREAM_BUCKET: 'from-env' }).resources.bucket).toBe('from-option');
    expect(resolveWorldConfig({ runsTable: 'opt_runs' }, { WORKFLOW_AWS_RUNS_TABLE: 'env_runs' }).resources.tables.runs).toBe('opt_runs');
  });

  it.each([
    [{ queueUrl: 'http://q/a', workflowQueueUrl: 'http://q/b' }, /workflowQueueUrl \("http:\/\/q\/b"\) and queueUrl \("http:\/\/q\/a"\)/],
    [{ runsTable: 'a', resources: { tables: { runs: 'b' } } }, /resources\.tables\.runs \("b"\) and runsTable \("a"\)/],
    [{ streamChunksTable: 'a', resources: { tables: { streams: 'b' } } }, /resources\.tables\.streams \("b"\) and streamChunksTable \("a"\)/],
    [{ streamBucket: 'a', resources: { bucket: 'b' } }, /resources\.bucket \("b"\) and streamBucket \("a"\)/],
  ] as [WorldConfigInput, RegExp][])('fail, naming both, when two option names disagree: %j', (input, message) => {
    expect(() => resolveWorldConfig(input, {})).toThrow(ConfigError);
    expect(() => resolveWorldConfig(input, {})).toThrow(message);
  });

  it('fail, naming both variables, when the two bucket variables disagree', () => {
    const env = { WORKFLOW_AWS_BUCKET: 'one', WORKFLOW_AWS_STREAM_BUCKET: 'two' };
    expect(() => resolveWorldConfig({}, env)).toThrow(/WORKFLOW_AWS_BUCKET \("one"\) and WORKFLOW_AWS_STREAM_BUCKET \("two"\)/);
  });

  it('treat an empty variable as unset', () => {
    expect(resolveWorldConfig({}, { WORKFLOW_AWS_BUCKET: '', WORKFLOW_AWS_STREAM_BUCKET: 'two' }).resources.bucket).toBe('two');
  });
});

describe('unknown option keys', () => {
  it.each([
    ['queueURL', 'queueUrl'],
    ['streamsTable', 'streamChunksTable'],
    ['workflowQueueURL', 'workflowQueueUrl'],
    ['bucket', 'streamBucket'],
    ['streamChunkTable', 'streamChunksTable'],
    ['somethingElse', undefined],
    ['signingSecrets', 'signingSecret'],
  ])('"%s" fails and suggests %s', (key, suggestion) => {
    const call = () => resolveWorldConfig({ [key]: 'x' } as WorldConfigInput, {});
    expect(call).toThrow(ConfigError);
    expect(call).toThrow(suggestion ? `Unknown createWorld option "${key}"; did you mean "${suggestion}"?` : `Unknown createWorld option "${key}"; known:`);
  });

  it('are caught inside resources, resources.tables and endpoints too', () => {
    expect(() => resolveWorldConfig({ resources: { tables: { run: 'x' } } } as unknown as WorldConfigInput, {})).toThrow(
      'Unknown option "resources.tables.run"; did you mean "resources.tables.runs"?',
    );
    expect(() => resolveWorldConfig({ resources: { buckets: 'x' } } as unknown as WorldConfigInput, {})).toThrow('did you mean "resources.bucket"?');
    expect(() => resolveWorldConfig({ endpoints: { dynamoDb: 'x' } } as unknown as WorldConfigInput, {})).toThrow('did you mean "endpoints.dynamodb"?');
  });

  it('fail in createWorld, which also accepts overrides', () => {
    expect(() => createWorld({ adapters: 'memory', streamBuckets: 'x' } as never)).toThrow('did you mean "streamBucket"?');
    expect(() => createWorld({ adapters: 'memory', overrides: {} })).not.toThrow();
  });

  it('nearestKey gives nothing for a key far from every known one', () => {
    expect(nearestKey('somethingElse', ['region', 'name'])).toBeUndefined();
    expect(nearestKey('regoin', ['region', 'name'])).toBe('region');
  });
});
