// Where a process's CPU went, from a V8 `.cpuprofile` (node --cpu-prof): each
// sample is charged to the nearest frame on its stack that belongs to a known
// body of code (world-aws's dist/ by directory, the AWS SDK, the workflow
// runtime, the emulators, ...), so Node internals and natives (JSON, crypto,
// http) count for the code that called them. Samples with no such frame stay
// `node (event loop, http, streams)`; GC, idle and `(program)` are their own.
//
//   node bench/lib/cpu-profile-split.mjs <file.cpuprofile> [--from-ms=N] [--to-ms=N] [--top=N]
//   (--from-ms/--to-ms: a window in ms from the profile's start, e.g. to leave start-up out)
import { readFileSync } from 'node:fs';

/** The bucket a script URL belongs to, or undefined when it is Node's or a native's. */
export function bucketOf(url) {
  if (!url) return undefined;
  const path = decodeURIComponent(url.replace(/^file:\/\//, ''));
  if (path.startsWith('node:') || !path.includes('/')) return undefined;
  const dist = /\/dist\/(.+)$/.exec(path);
  if (dist && !path.includes('/node_modules/')) {
    const parts = dist[1].split('/');
    if (parts[0] === 'infra' && parts[1] === 'local-aws') return 'emulator: local-aws glue';
    return `world-aws: ${parts.length > 2 ? parts.slice(0, 2).join('/') : parts.length > 1 ? parts[0] : parts[0]}`;
  }
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//g;
  let last;
  for (let m = pkg.exec(path); m; m = pkg.exec(path)) last = m[1];
  if (last) {
    if (last.startsWith('@aws-sdk/') || last.startsWith('@smithy/') || last.startsWith('@aws-crypto/') || last === 'fast-xml-parser' || last === 'strnum' || last === 'tslib' || last === 'uuid' || last === 'bowser') return 'AWS SDK';
    if (['dynalite', 'fauxqs', 'memdown', 'levelup', 'leveldown', 'abstract-leveldown', 'level-sublevel', 'lazy', 'lock', 'big.js', 'buffer-crc32', 'deferred-leveldown', 'encoding-down', 'subleveldown', 'level-codec', 'level-errors', 'level-iterator-stream', 'functional-red-black-tree', 'ltgt', 'once', 'async', 'readable-stream', 'xtend', 'minimist'].includes(last)) return `emulator: ${last}`;
    if (last === 'workflow' || last.startsWith('@workflow/')) return `runtime: ${last}`;
    if (last === 'devalue' || last === 'ulid' || last === 'zod' || last === 'ms') return `runtime deps: ${last}`;
    if (last === 'inversify' || last === 'reflect-metadata' || last.startsWith('@inversifyjs/')) return 'world-aws: inversify';
    return `package: ${last}`;
  }
  if (path.includes('/.well-known/workflow/')) return 'runtime: app bundle (wf build)';
  if (path.includes('/src/infra/local-aws/') ) return 'emulator: vendored';
  if (path.includes('/test/e2e/harness/') || path.includes('/scripts/lib/')) return 'bench harness server';
  return `other: ${path.split('/').slice(-2).join('/')}`;
}

const SPECIAL = { '(garbage collector)': 'GC', '(idle)': 'idle', '(program)': 'program (V8/native, no JS frame)', '(root)': 'program (V8/native, no JS frame)' };

/** { total ms, buckets: {name: ms}, top: [[function@file, ms]] } for the samples inside [fromMs, toMs). */
export function splitProfile(profile, { fromMs = 0, toMs = Infinity, top = 25 } = {}) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const bucketCache = new Map();
  const bucketFor = (id) => {
    if (bucketCache.has(id)) return bucketCache.get(id);
    const node = nodes.get(id);
    const special = SPECIAL[node.callFrame.functionName];
    let bucket = special && !parent.has(id) ? special : special ?? bucketOf(node.callFrame.url);
    if (!bucket) bucket = parent.has(id) ? bucketFor(parent.get(id)) : 'node (event loop, http, streams)';
    if (bucket === 'program (V8/native, no JS frame)' && parent.has(id) && !special) bucket = 'node (event loop, http, streams)';
    bucketCache.set(id, bucket);
    return bucket;
  };
  const buckets = {};
  const selfByFn = {};
  let t = 0;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    t += dt;
    if (t < fromMs || t >= toMs) continue;
    const id = profile.samples[i];
    const b = bucketFor(id);
    buckets[b] = (buckets[b] ?? 0) + dt;
    total += dt;
    const cf = nodes.get(id).callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${cf.url ? cf.url.split('/').slice(-2).join('/') : ''}:${cf.lineNumber + 1} [${b}]`;
    selfByFn[key] = (selfByFn[key] ?? 0) + dt;
  }
  const topFns = Object.entries(selfByFn).sort((a, b) => b[1] - a[1]).slice(0, top);
  return { totalMs: total, durationMs: t, buckets, top: topFns };
}

/** Busy (non-idle) time per second of the profile, to find where start-up ends and the runs begin. */
export function busyTimeline(profile, bucketMs = 1000) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const line = [];
  let t = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += (profile.timeDeltas[i] ?? 0) / 1000;
    const slot = Math.floor(t / bucketMs);
    line[slot] ??= 0;
    if (nodes.get(profile.samples[i]).callFrame.functionName !== '(idle)') line[slot] += (profile.timeDeltas[i] ?? 0) / 1000;
  }
  return Array.from(line, (v) => Math.round(v ?? 0));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [file, ...rest] = process.argv.slice(2);
  const opt = (name, fallback) => Number(rest.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  console.log(`busy ms per second: ${busyTimeline(profile).join(' ')}`);
  const { totalMs, durationMs, buckets, top } = splitProfile(profile, { fromMs: opt('from-ms', 0), toMs: opt('to-ms', Infinity), top: opt('top', 25) });
  console.log(`profile ${Math.round(durationMs)} ms; window ${Math.round(totalMs)} ms sampled`);
  const busy = totalMs - (buckets.idle ?? 0);
  for (const [name, ms] of Object.entries(buckets).sort((a, b) => b[1] - a[1])) {
    console.log(`${name.padEnd(48)} ${String(Math.round(ms)).padStart(7)} ms  ${name === 'idle' ? '' : `${((100 * ms) / busy).toFixed(1)}% of busy`}`);
  }
  console.log('\ntop self time:');
  for (const [name, ms] of top) console.log(`${String(Math.round(ms)).padStart(7)} ms  ${name}`);
}
