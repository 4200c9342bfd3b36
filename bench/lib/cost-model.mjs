// DynamoDB capacity units computed from item images, by AWS's documented
// rules (no emulator involved), to cross-check what dynalite reports and to
// price what it does not report (index writes):
// - item size = Σ (UTF-8 attribute name length + value size); S: UTF-8 bytes,
//   B: raw bytes, N: ⌈significant digits / 2⌉ + 1, BOOL/NULL: 1,
//   L/M: 3 + Σ (element size + 1) (map keys count like attribute names),
//   sets: Σ element sizes.
// - write: 1 WCU per started KB of the larger of the old and new image
//   (delete: the old one), ×2 inside TransactWriteItems.
// - index write: for every GSI the old or new image belongs to, 1 WCU per
//   started KB of the projected entry; a changed index key is a delete plus a
//   put. Not doubled for transactions.
// - read: strongly consistent, 1 RCU per started 4 KB per item (GetItem,
//   BatchGetItem; ×2 for TransactGetItems); Query sums the returned items'
//   sizes, then rounds up once (eventually consistent: half).

const utf8 = (s) => Buffer.byteLength(s, 'utf8');

function numberSize(n) {
  const digits = String(n).replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

export function valueSize(value) {
  const [type, v] = Object.entries(value)[0];
  switch (type) {
    case 'S':
      return utf8(v);
    case 'N':
      return numberSize(v);
    case 'B':
      return Buffer.from(v, 'base64').length;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return v.reduce((a, s) => a + utf8(s), 0);
    case 'NS':
      return v.reduce((a, n) => a + numberSize(n), 0);
    case 'BS':
      return v.reduce((a, b) => a + Buffer.from(b, 'base64').length, 0);
    case 'L':
      return 3 + v.reduce((a, e) => a + valueSize(e) + 1, 0);
    case 'M':
      return 3 + Object.entries(v).reduce((a, [k, e]) => a + utf8(k) + valueSize(e) + 1, 0);
    default:
      throw new Error(`unknown attribute type ${type}`);
  }
}

export function itemSize(item) {
  if (!item) return 0;
  return Object.entries(item).reduce((a, [name, value]) => a + utf8(name) + valueSize(value), 0);
}

const kb = (bytes) => Math.max(1, Math.ceil(bytes / 1024));
const keyNames = (keySchema) => keySchema.map((k) => k.AttributeName);

/** The projected entry of `item` in `gsi`, or undefined when the item is not in the index (sparse). */
function indexEntry(item, gsi, tableKeys) {
  if (!item) return undefined;
  const indexKeys = keyNames(gsi.KeySchema);
  if (!indexKeys.every((k) => item[k] !== undefined)) return undefined;
  const type = gsi.Projection?.ProjectionType ?? 'ALL';
  if (type === 'ALL') return item;
  const keep = new Set([...tableKeys, ...indexKeys, ...(type === 'INCLUDE' ? gsi.Projection.NonKeyAttributes ?? [] : [])]);
  return Object.fromEntries(Object.entries(item).filter(([k]) => keep.has(k)));
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Index WCU for one item going from `oldItem` to `newItem` (either may be undefined). */
export function indexWriteUnits(table, oldItem, newItem) {
  const tableKeys = keyNames(table.KeySchema);
  const perIndex = {};
  for (const gsi of table.GlobalSecondaryIndexes ?? []) {
    const before = indexEntry(oldItem, gsi, tableKeys);
    const after = indexEntry(newItem, gsi, tableKeys);
    let units = 0;
    if (before && after) {
      const keyChanged = keyNames(gsi.KeySchema).some((k) => !same(before[k], after[k]));
      if (keyChanged) units = kb(itemSize(before)) + kb(itemSize(after));
      else if (!same(before, after)) units = kb(Math.max(itemSize(before), itemSize(after)));
    } else if (after) units = kb(itemSize(after));
    else if (before) units = kb(itemSize(before));
    if (units) perIndex[gsi.IndexName] = units;
  }
  return perIndex;
}

/** Base-table WCU of one write (transactional doubles it). */
export function writeUnits(oldItem, newItem, transactional) {
  return (transactional ? 2 : 1) * kb(Math.max(itemSize(oldItem), itemSize(newItem)));
}

/** Per-item reads (GetItem, BatchGetItem, TransactGetItems): every requested key costs at least one unit, found or not. */
export function itemReadUnits(found, requested, { consistent = true, transactional = false } = {}) {
  const factor = (transactional ? 2 : 1) * (consistent ? 1 : 0.5);
  const units = found.reduce((a, i) => a + Math.max(1, Math.ceil(itemSize(i) / 4096)), 0) + Math.max(0, requested - found.length);
  return factor * units;
}

/** Query/Scan: the returned items' sizes summed, then rounded up to 4 KB once. */
export function queryReadUnits(items, { consistent = true } = {}) {
  return (consistent ? 1 : 0.5) * Math.max(1, Math.ceil(items.reduce((a, i) => a + itemSize(i), 0) / 4096));
}

// On-demand list prices, us-east-1 (USD per request or unit), as of
// November 2024 (DynamoDB's on-demand price cut); prices differ by region.
export const PRICES = {
  dynamoWriteUnit: 0.625e-6,
  dynamoReadUnit: 0.125e-6,
  sqsRequest: 0.4e-6,
  s3Tier1Request: 5e-6, // PUT, COPY, POST, LIST
  s3Tier2Request: 0.4e-6, // GET, HEAD and others
  stepFunctionsTransition: 25e-6, // Standard workflows, per state transition
};

/** Request cost of one unit of work (per step) in USD per million. */
export function costPerMillion({ wcu = 0, rcu = 0, sqs = 0, s3Tier1 = 0, s3Tier2 = 0 }) {
  const usd = wcu * PRICES.dynamoWriteUnit + rcu * PRICES.dynamoReadUnit + sqs * PRICES.sqsRequest + s3Tier1 * PRICES.s3Tier1Request + s3Tier2 * PRICES.s3Tier2Request;
  return usd * 1e6;
}
