// Send claims, delivery leases and wake-up marks in memory, on a manual clock.
import { ManualClock } from '../../../../src/adapters/memory/manual-clock.js';
import { MemoryIdempotencyStore } from '../../../../src/adapters/memory/memory-idempotency-store.js';
import { idempotencyStoreContract } from '../../../support/idempotency-store-contract.js';

describe('MemoryIdempotencyStore', () => {
  idempotencyStoreContract(() => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    return { store: new MemoryIdempotencyStore(clock), advance: (ms) => clock.advance(ms) };
  });
});
