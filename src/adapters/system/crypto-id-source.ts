import { randomBytes } from 'node:crypto';
import type { IdSource } from '../../ports/id-source.js';

export class CryptoIdSource implements IdSource {
  randomBytes(n: number): Uint8Array {
    return new Uint8Array(randomBytes(n));
  }
}
