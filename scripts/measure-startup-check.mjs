#!/usr/bin/env node
// What the start-up resource check adds to world.start(): `npm run build && node scripts/measure-startup-check.mjs`.
import { startLocalAws } from '../dist/infra/local-aws/index.js';
import { createWorld } from '../dist/index.js';
const local = await startLocalAws({ name: 'measure' });
Object.assign(process.env, local.env, { WORKFLOW_AWS_CONSUMER: 'process', WORKFLOW_AWS_DELIVERY: 'in-process', WORKFLOW_AWS_LOG_LEVEL: 'silent' });
const noop = { probe: async () => [] };
async function once(withCheck) {
  const world = createWorld(withCheck ? {} : { overrides: { probe: noop } });
  const t = performance.now();
  await world.start();
  const ms = performance.now() - t;
  await world.close();
  return ms;
}
const runs = { with: [], without: [] };
for (let i = 0; i < 3; i++) { await once(true); await once(false); } // warm-up
for (let i = 0; i < 20; i++) { runs.with.push(await once(true)); runs.without.push(await once(false)); }
const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(`start() median over 20: with check ${med(runs.with).toFixed(1)} ms, without ${med(runs.without).toFixed(1)} ms`);
await local.stop();
