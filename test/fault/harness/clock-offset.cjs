// Test-only preload (`node --require`): this process's wall clock runs
// FAULT_CLOCK_OFFSET_MS ahead (negative: behind), as on a replica whose clock
// is off. Date.now() and `new Date()` move; timers and performance.now() don't.
const offset = Number(process.env.FAULT_CLOCK_OFFSET_MS);
if (!Number.isFinite(offset)) throw new RangeError(`FAULT_CLOCK_OFFSET_MS must be a number of ms; got ${process.env.FAULT_CLOCK_OFFSET_MS}`);

const RealDate = Date;
function SkewedDate(...args) {
  if (!new.target) return new RealDate(RealDate.now() + offset).toString();
  return args.length === 0 ? new RealDate(RealDate.now() + offset) : new RealDate(...args);
}
SkewedDate.prototype = RealDate.prototype;
SkewedDate.now = () => RealDate.now() + offset;
SkewedDate.parse = RealDate.parse;
SkewedDate.UTC = RealDate.UTC;
Object.defineProperty(SkewedDate, Symbol.hasInstance, { value: (value) => value instanceof RealDate });
globalThis.Date = SkewedDate;
