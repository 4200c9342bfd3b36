// How a consumed message reaches the runtime's handler.
import type { DeliveryResult } from './delivery-protocol.js';
import type { Envelope } from './envelope.js';

export interface Deliverer {
  /**
   * Never throws: transport and handler errors come back as `failed`. Each
   * call is a new delivery with its own nonce. `signal` ends the wait (the
   * consumer's deadline); the handler keeps its own.
   */
  deliver(envelope: Envelope, attempt: number, signal?: AbortSignal): Promise<DeliveryResult>;
  close(): Promise<void>;
}
