// What events.create refuses before the domain sees a request: values no
// store can hold (BigInt, functions, symbols, cycles, absurd nesting) and a
// missing request, each as a 400 naming the field, so a caller bug gets a
// clear answer instead of a TypeError/RangeError from deep inside a store,
// and nothing is written. Bytes (Uint8Array), dates and plain JSON pass
// untouched; Maps, Sets and class instances are refused (no store keeps them).
import { badRequest } from '../../domain/errors.js';

/** Deeper values are refused: far above any runtime payload (those are bytes), far below the stack limit. */
export const MAX_VALUE_DEPTH = 512;

export function assertValidEventRequest(runId: unknown, request: unknown): void {
  if (runId !== null && runId !== undefined && (typeof runId !== 'string' || runId === '')) {
    throw badRequest(`Invalid runId ${describe(runId)}: expected a non-empty string or null`);
  }
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw badRequest(`Invalid event request: expected an object; got ${describe(request)}`);
  }
  assertStorableValue(request, 'request');
  const { eventType, eventData } = request as { eventType?: unknown; eventData?: { token?: unknown } };
  if (eventType === 'hook_created' && eventData?.token === '') {
    throw badRequest('Invalid hook_created event request: eventData.token must not be empty');
  }
}

/** Walks `value` without recursion (a deep value cannot overflow the stack) and names the first bad field. */
export function assertStorableValue(value: unknown, root: string): void {
  const onPath = new Set<object>();
  type Frame = { value: unknown; path: string; depth: number; exit?: object };
  const stack: Frame[] = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.exit) {
      onPath.delete(frame.exit);
      continue;
    }
    const { value: v, path, depth } = frame;
    switch (typeof v) {
      case 'bigint':
        throw badRequest(`Invalid ${shortPath(path)}: a BigInt cannot be stored; encode it as a string`);
      case 'function':
      case 'symbol':
        throw badRequest(`Invalid ${shortPath(path)}: a ${typeof v} cannot be stored`);
      case 'object':
        break;
      default:
        continue;
    }
    const kind = Object.prototype.toString.call(v);
    if (v === null || (ArrayBuffer.isView(v) && kind === '[object Uint8Array]') || kind === '[object Date]') continue;
    // Other instances (Map, Set, class objects, other typed arrays) have no
    // stored form: DynamoDB's codec refuses them and a copy would keep only
    // their own enumerable fields, so a Map would come back as {}.
    if (!Array.isArray(v) && !isPlainObject(v)) {
      throw badRequest(`Invalid ${shortPath(path)}: ${instanceName(v)} cannot be stored; use plain objects, arrays, Uint8Array bytes or dates`);
    }
    if (onPath.has(v)) throw badRequest(`Invalid ${shortPath(path)}: circular reference`);
    if (depth >= MAX_VALUE_DEPTH) throw badRequest(`Invalid ${shortPath(path)}: nested deeper than ${MAX_VALUE_DEPTH} levels`);
    onPath.add(v);
    stack.push({ value: undefined, path, depth, exit: v });
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${path}[${i}]`, depth: depth + 1 });
    } else {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        stack.push({ value: (v as Record<string, unknown>)[key], path: `${path}.${key}`, depth: depth + 1 });
      }
    }
  }
}

/** Object.prototype or null as prototype, from any realm (the runtime uses vm contexts). */
function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || (Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(value) === '[object Object]');
}

function instanceName(value: object): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a custom prototype';
}

/** Long paths (deep values) are cut in the middle so the message stays readable. */
function shortPath(path: string): string {
  return path.length <= 160 ? path : `${path.slice(0, 80)}…${path.slice(-60)}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}
