// How a consumed message reaches the runtime's handler.
import type { DeliveryResult } from './delivery-protocol.js';
import type { Envelope } from './envelope.js';

export interface Deliverer {
  /**
   * Never throws: transport and handler errors come back as `failed`.
   * `signedAt` is the timestamp to sign with (default: now); it identifies the
   * key's delivery lease when the handler takes it.
   */
  deliver(envelope: Envelope, attempt: number, signedAt?: number): Promise<DeliveryResult>;
  close(): Promise<void>;
}

