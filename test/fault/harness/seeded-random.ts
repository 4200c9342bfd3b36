// Seeded randomness for the fault schedule: FAULT_SEED reproduces a run.

export const FAULT_SEED = Number(process.env.FAULT_SEED ?? 18);
if (!Number.isInteger(FAULT_SEED)) throw new RangeError(`FAULT_SEED must be an integer; got ${process.env.FAULT_SEED}`);

export interface Random {
  /** In [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
}

/** mulberry32, seeded per use (`salt`) so adding one case does not move another's schedule. */
export function seededRandom(salt: string, seed = FAULT_SEED): Random {
  let state = seed >>> 0;
  for (const ch of salt) state = Math.imul(state ^ ch.charCodeAt(0), 0x9e3779b1) >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}
