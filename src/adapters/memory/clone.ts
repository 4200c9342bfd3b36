// Deep copy that keeps what structuredClone would lose: BlobPointer instances.
// Stored state must not alias caller objects, as with a real database.
import { BlobPointer } from '../../domain/model.js';

export function cloneValue<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof BlobPointer) return value;
  if (value instanceof Uint8Array) return value.slice() as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(cloneValue) as T;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue;
    // A "__proto__" own key stays an own key (plain assignment would set the prototype).
    if (key === '__proto__') Object.defineProperty(out, key, { value: cloneValue(field), enumerable: true, writable: true, configurable: true });
    else out[key] = cloneValue(field);
  }
  return out as T;
}
