// One safety net per run and process: sent only when none covers now, its
// successor armed before it falls due while the run is held, and a net that
// comes back to its live sender acked (after arming a successor if needed).
import { ManualClock } from '../../../../src/adapters/memory/manual-clock.js';
import { RUN_NET_REARM_LEAD_MS } from '../../../../src/domain/delivery/run-net.js';
import { RunNets, createNetCheck, type NetRun, type SentNet } from '../../../../src/application/queue/run-nets.js';
import { WorkflowRunNotFoundError } from '@workflow/errors';
import type { Envelope } from '../../../../src/application/queue/envelope.js';
import type { Storage, ValidQueueName } from '@workflow/world';
import { RecordingLogger } from './harness.js';

const DELAY_MS = 91_000;
const RUN: NetRun = { runId: 'wrun_1', queueName: '__wkf_workflow_wf' as ValidQueueName };

let clock: ManualClock;
let logger: RecordingLogger;
let nets: RunNets;
let sent: Array<{ id: string; at: number; fail?: (error: Error) => void; ok?: () => void }>;
let manual: boolean;

/** Sends a net: settled at once, or by the test when `manual`. */
function send(run: NetRun): SentNet {
  const id = `msg_net_${sent.length + 1}`;
  const entry: (typeof sent)[number] = { id, at: clock.now() };
  sent.push(entry);
  expect(run).toEqual(RUN);
  const settled = manual ? new Promise<void>((resolve, reject) => Object.assign(entry, { ok: resolve, fail: reject })) : Promise.resolve();
  return { id, dueAt: clock.now() + DELAY_MS, sent: settled };
}

async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

beforeEach(() => {
  clock = new ManualClock(1_000_000);
  logger = new RecordingLogger();
  nets = new RunNets(clock);
  sent = [];
  manual = false;
});

afterEach(() => nets.close());

it('sends one net for many holds of a run while it covers them', async () => {
  const a = nets.hold(RUN, send, logger);
  await a.covered;
  const b = nets.hold(RUN, send, logger);
  await clock.advance(30_000);
  const c = nets.hold(RUN, send, logger);
  await Promise.all([b.covered, c.covered]);
  expect(sent.map((s) => s.id)).toEqual(['msg_net_1']);
  for (const h of [a, b, c]) h.release();
});

it('holds that arrive while the net is being sent wait for that send', async () => {
  manual = true;
  const a = nets.hold(RUN, send, logger);
  const b = nets.hold(RUN, send, logger);
  let covered = 0;
  void Promise.all([a.covered, b.covered]).then(() => (covered = 2));
  await turns();
  expect(covered).toBe(0);
  sent[0].ok!();
  await turns();
  expect(covered).toBe(2);
  expect(sent).toHaveLength(1);
});

it('a failed send rejects the holds waiting for it, and the next hold sends again', async () => {
  manual = true;
  const a = nets.hold(RUN, send, logger);
  sent[0].fail!(new Error('SQS down'));
  await expect(a.covered).rejects.toThrow('SQS down');
  a.release();
  const b = nets.hold(RUN, send, logger);
  expect(sent).toHaveLength(2);
  sent[1].ok!();
  await b.covered;
});

it('arms the successor the lead before the net falls due while the run is held, and not once it is released', async () => {
  const a = nets.hold(RUN, send, logger);
  await a.covered;
  await clock.advance(DELAY_MS - RUN_NET_REARM_LEAD_MS - 1);
  expect(sent).toHaveLength(1);
  await clock.advance(1);
  expect(sent.map((s) => s.at - 1_000_000)).toEqual([0, DELAY_MS - RUN_NET_REARM_LEAD_MS]);
  a.release();
  await clock.advance(DELAY_MS);
  expect(sent).toHaveLength(2);
  expect(nets.heldRuns()).toEqual([]);
});

it('a new hold near a net\'s due time does not trust it: it sends a fresh one', async () => {
  const a = nets.hold(RUN, send, logger);
  await a.covered;
  a.release();
  await clock.advance(DELAY_MS - RUN_NET_REARM_LEAD_MS);
  const b = nets.hold(RUN, send, logger);
  await b.covered;
  expect(sent).toHaveLength(2);
  b.release();
});

it('retries a successor whose send failed, every second, while the run is held', async () => {
  const a = nets.hold(RUN, send, logger);
  await a.covered;
  manual = true;
  await clock.advance(DELAY_MS - RUN_NET_REARM_LEAD_MS);
  sent[1].fail!(new Error('SQS down'));
  await turns();
  expect(logger.at('warn').some((e) => e.message.includes("Could not send the successor of a run's safety net"))).toBe(true);
  await clock.advance(1_000);
  expect(sent).toHaveLength(3);
  sent[2].ok!();
  await turns();
  a.release();
});

describe('a net that comes back', () => {
  it('is not this process\'s when another process (or an earlier life) sent it', async () => {
    expect(await nets.receivedOwn('msg_net_elsewhere', RUN.runId, logger)).toBe(false);
  });

  it('is acked when the run is no longer held here', async () => {
    nets.hold(RUN, send, logger).release();
    await turns();
    await clock.advance(DELAY_MS);
    expect(await nets.receivedOwn('msg_net_1', RUN.runId, logger)).toBe(true);
    expect(sent).toHaveLength(1);
  });

  it('is acked while the run is held when its successor is out; else a successor is sent first', async () => {
    const a = nets.hold(RUN, send, logger);
    await a.covered;
    await clock.advance(DELAY_MS);
    // The successor went out the lead before.
    expect(sent).toHaveLength(2);
    expect(await nets.receivedOwn('msg_net_1', RUN.runId, logger)).toBe(true);
    expect(sent).toHaveLength(2);
    // The successor itself comes back late (its own successor was due meanwhile, but timers were stopped).
    nets.close();
    await clock.advance(DELAY_MS);
    expect(await nets.receivedOwn('msg_net_2', RUN.runId, logger)).toBe(true);
    expect(sent).toHaveLength(3);
    a.release();
  });

  it('after work ended without its follow-up (releaseToNet), is delivered once: the run is replayed', async () => {
    const a = nets.hold(RUN, send, logger);
    await a.covered;
    a.releaseToNet();
    // Still held: the successor keeps being armed until a net comes back.
    await clock.advance(DELAY_MS);
    expect(sent).toHaveLength(2);
    expect(await nets.receivedOwn('msg_net_1', RUN.runId, logger)).toBe(false);
    expect(nets.heldRuns()).toEqual([]);
    expect(await nets.receivedOwn('msg_net_2', RUN.runId, logger)).toBe(true);
  });
});

describe('createNetCheck', () => {
  const net = (runId = RUN.runId): Envelope => ({ v: 1, id: 'msg_net_elsewhere', queueName: RUN.queueName, deploymentId: 'aws:test', net: true, payload: { runId } });
  const runs = (get: (runId: string) => Promise<unknown>) => ({ get }) as unknown as Pick<Storage['runs'], 'get'>;

  it('acks another process\'s net for a finished run, after one read', async () => {
    const reads: string[] = [];
    const check = createNetCheck({ nets, logger, runs: runs(async (runId) => (reads.push(runId), { runId, status: 'completed' })) });
    expect(await check(net())).toBe(true);
    expect(reads).toEqual([RUN.runId]);
  });

  it.each(['pending', 'running'])('delivers another process\'s net for a %s run', async (status) => {
    const check = createNetCheck({ nets, logger, runs: runs(async (runId) => ({ runId, status })) });
    expect(await check(net())).toBe(false);
  });

  it('acks a net of a run that is gone, and delivers when the read fails otherwise', async () => {
    expect(await createNetCheck({ nets, logger, runs: runs(async (runId) => Promise.reject(new WorkflowRunNotFoundError(runId))) })(net())).toBe(true);
    expect(await createNetCheck({ nets, logger, runs: runs(async () => Promise.reject(new Error('throttled'))) })(net())).toBe(false);
  });

  it('acks its own net with no read', async () => {
    nets.hold(RUN, send, logger).release();
    await turns();
    const check = createNetCheck({ nets, logger, runs: runs(async () => Promise.reject(new Error('no read expected'))) });
    expect(await check({ ...net(), id: 'msg_net_1' })).toBe(true);
  });
});
