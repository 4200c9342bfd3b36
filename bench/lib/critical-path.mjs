// The critical path of a sequential step on world-aws: seq20 with every
// DynamoDB, SQS and S3 request through a loopback proxy, alternately with
// 0 ms and with `delayMs` added to every request. Round trips per step =
// growth per step / delay, the median over pairs (each delayed run against
// the undelayed run just before it, so both see the same machine load). Which requests they are comes from the
// delayed runs' request timestamps: walking back from the run_completed
// commit, each link is the request that ended last before the current one
// started; a long poll that returned a message links to the send that
// carried it and counts its response leg only (half the delay); deletes and
// visibility changes are never links (nothing waits for them). The chain is
// an estimate (a background request ending in a gap can take a link); the
// delay growth is the measurement.
import { estimateOnAws } from './aws-latencies.mjs';
import { startAwsStack } from './aws-stack.mjs';
import { call, untilCompleted } from './e2e.mjs';
import { now, summarize } from './stats.mjs';

const label = (r) => `${r.service} ${r.op} ${r.resource}${r.kind ? ` ${r.kind}` : ''}`;
/** A long poll that returned a message waited at the service; only its response leg is on the path. */
const legs = (r) => (r.op === 'ReceiveMessage' ? 0.5 : 1);

function keep(r) {
  const messages = r.op === 'ReceiveMessage' ? (r.response?.Messages?.length ?? 0) : undefined;
  return { service: r.service, op: r.op, resource: r.resource, kind: r.kind, start: r.start, end: r.end, messages };
}

/** Acknowledgements and lease extensions: nothing in the run waits for them. */
const SINKS = new Set(['DeleteMessage', 'DeleteMessageBatch', 'ChangeMessageVisibility', 'ChangeMessageVisibilityBatch']);

/**
 * The chain of requests ending at the run's run_completed commit, in time
 * order. A long poll that returned a message links to the last send to that
 * queue before it returned (the message's send); any other request to the
 * request that ended last before it started. Empty long polls and sinks
 * (deletes, visibility changes) are never links.
 */
export function criticalChain(records) {
  const candidates = records.filter((r) => r.messages !== 0 && !SINKS.has(r.op));
  const last = candidates.filter((r) => r.kind === 'run_completed').at(-1);
  if (!last) return [];
  const chain = [last];
  const used = new Set(chain);
  const latest = (accept) => {
    let best;
    for (const r of candidates) if (!used.has(r) && accept(r) && (!best || r.end > best.end)) best = r;
    return best;
  };
  for (let cur = last; ; ) {
    const receive = cur.op === 'ReceiveMessage';
    const previous = receive
      ? latest((r) => r.op.startsWith('SendMessage') && r.resource === cur.resource && r.end <= cur.end + 0.5)
      : latest((r) => r.end <= cur.start + 0.5);
    if (!previous) break;
    chain.push(previous);
    used.add(previous);
    cur = previous;
  }
  return chain.reverse();
}

/** Per step: chain links by label and by service (round trips, a long poll's response leg counting ½). */
function breakdown(chains, steps) {
  const byLabel = {};
  const byService = {};
  for (const chain of chains) {
    for (const r of chain) {
      byLabel[label(r)] = (byLabel[label(r)] ?? 0) + legs(r) / steps / chains.length;
      byService[r.service] = (byService[r.service] ?? 0) + legs(r) / steps / chains.length;
    }
  }
  const round = (o) => Object.fromEntries(Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v * 100) / 100]));
  return { byLabel: round(byLabel), byService: round(byService), total: Math.round(Object.values(byService).reduce((a, b) => a + b, 0) * 100) / 100 };
}

/** One step's requests in the middle of a delayed run: offset and duration (ms) from that step's first request, on the chain or not. */
function sampleStep(records, chain) {
  const commits = records.filter((r) => r.kind === 'step_completed').sort((a, b) => a.end - b.end);
  const mid = Math.floor(commits.length / 2);
  if (mid < 1) return [];
  const [from, to] = [commits[mid - 1].end, commits[mid].end];
  const onChain = new Set(chain);
  const inStep = records.filter((r) => r.end > from && r.end <= to && r.messages !== 0).sort((a, b) => a.start - b.start);
  const t0 = Math.min(...inStep.map((r) => r.start));
  return inStep.map((r) => ({ request: label(r), startMs: Math.round(r.start - t0), endMs: Math.round(r.end - t0), critical: onChain.has(r) }));
}

/**
 * `settleMs` before each run: the previous run's projections are written
 * behind its commits (up to 1 s after the last, docs/dynamodb-schema.md), and
 * written inside the next run they would compete with its requests in the
 * emulator and be measured as part of it.
 */
export async function runCriticalPath({ log = () => {}, runs = 5, delayMs = 10, steps = 20, settleMs = 1500 } = {}) {
  let records = null;
  const stack = await startAwsStack({ observe: (r) => records?.push(keep(r)) });
  try {
    const once = async (delay) => {
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      stack.proxies.setDelay(delay);
      records = [];
      const t0 = now();
      const { runId } = await call(stack.server.base, 'POST', 'start', { workflow: 'sequentialSteps', args: [steps] });
      const ms = await untilCompleted(stack.reader, runId, `seq${steps}`, 300_000).then(() => now() - t0);
      const taken = records;
      records = null;
      return { ms, records: taken };
    };
    await once(0); // warm-up: lazy init, JIT
    const base = [];
    const delayed = [];
    for (let i = 0; i < runs; i++) {
      base.push(await once(0));
      delayed.push(await once(delayMs));
      log(`  critical path: round ${i + 1}/${runs}: ${Math.round(base.at(-1).ms)} ms at 0 ms, ${Math.round(delayed.at(-1).ms)} ms at ${delayMs} ms`);
    }
    const [at0, atDelay] = [summarize(base.map((s) => s.ms)), summarize(delayed.map((s) => s.ms))];
    // Each delayed run against the undelayed run just before it: the pairs share the machine's load.
    const perPair = base.map((b, i) => (delayed[i].ms - b.ms) / steps / delayMs);
    const roundTripsPerStep = Math.round(summarize(perPair).p50 * 100) / 100;
    const chains = delayed.map((s) => criticalChain(s.records));
    const chain = breakdown(chains, steps);
    // The chain says which services; the delay growth says how many in all.
    const scale = chain.total ? roundTripsPerStep / chain.total : 0;
    const byService = Object.fromEntries(Object.entries(chain.byService).map(([k, v]) => [k, v * scale]));
    return {
      steps,
      runs,
      delayMs,
      msAt0: at0,
      msAtDelay: atDelay,
      roundTripsPerStep,
      roundTripsPerPair: perPair.map((x) => Math.round(x * 100) / 100),
      chain,
      estimateOnAwsPerStepMs: { fromDelay: estimateOnAws(byService), fromChain: estimateOnAws(chain.byService) },
      sampleStep: sampleStep(delayed[Math.floor(delayed.length / 2)].records, chains[Math.floor(chains.length / 2)]),
    };
  } finally {
    await stack.stop();
  }
}
