// Test doubles and stream helpers shared by the streamer tests (unit and integration).
import { WorkflowWorldError } from '@workflow/errors';
import type { BlobStore } from '../../../../src/ports/blob-store.js';
import type { Clock } from '../../../../src/ports/clock.js';

export class MapBlobStore implements BlobStore {
  readonly objects = new Map<string, Uint8Array>();
  readonly committed = new Set<string>();
  async markCommitted(key: string): Promise<void> {
    this.committed.add(key);
  }
  async put(key: string, bytes: Uint8Array): Promise<void> {
    this.objects.set(key, bytes.slice());
  }
  async get(key: string): Promise<Uint8Array> {
    const bytes = this.objects.get(key);
    if (!bytes) throw new WorkflowWorldError(`Blob ${key} not found`, { status: 404 });
    return bytes.slice();
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
}

/** Real time, abortable sleeps. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

interface PendingSleep {
  ms: number;
  due: number;
  resolve: () => void;
}

/** Manual time: sleeps resolve only when the test advances the clock. */
export class FakeClock implements Clock {
  private time = 0;
  private pending: PendingSleep[] = [];
  /** Every sleep requested, in order, with its duration. */
  readonly requested: number[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.requested.push(ms);
    return new Promise<void>((resolve) => {
      const entry: PendingSleep = { ms, due: this.time + ms, resolve };
      if (signal?.aborted) return resolve();
      this.pending.push(entry);
      signal?.addEventListener(
        'abort',
        () => {
          this.pending = this.pending.filter((p) => p !== entry);
          resolve();
        },
        { once: true },
      );
    });
  }

  get pendingSleeps(): number {
    return this.pending.length;
  }

  advance(ms: number): void {
    this.time += ms;
    const due = this.pending.filter((p) => p.due <= this.time);
    this.pending = this.pending.filter((p) => p.due > this.time);
    for (const p of due) p.resolve();
  }

  /** Waits until someone sleeps. */
  async untilSleeping(): Promise<void> {
    for (let i = 0; i < 1000 && this.pending.length === 0; i++) await settle();
    if (this.pending.length === 0) throw new Error('nobody is sleeping');
  }

  /** Waits until someone sleeps, then advances exactly to that sleep's end. */
  async runNextSleep(): Promise<number> {
    await this.untilSleeping();
    const next = Math.min(...this.pending.map((p) => p.due));
    const step = next - this.time;
    this.advance(step);
    return step;
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const utf8 = new TextDecoder();
export const text = (bytes: Uint8Array) => utf8.decode(bytes);

/** Reads until the stream ends; fails if it does not end within `timeoutMs`. */
export async function readAll(stream: ReadableStream<Uint8Array>, timeoutMs = 5000): Promise<Uint8Array[]> {
  const reader = stream.getReader();
  const out: Uint8Array[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await withTimeout(reader.read(), deadline - Date.now());
    if (result === 'timeout') {
      await reader.cancel();
      throw new Error(`stream did not end within ${timeoutMs} ms (got ${out.length} chunks)`);
    }
    if (result.done) return out;
    out.push(result.value);
  }
}

/** The next chunk, `'done'` at the end, or `'timeout'` if nothing arrives within `ms`. */
export async function nextChunk(reader: ReadableStreamDefaultReader<Uint8Array>, ms: number): Promise<Uint8Array | 'done' | 'timeout'> {
  const result = await withTimeout(reader.read(), ms);
  if (result === 'timeout') return 'timeout';
  return result.done ? 'done' : result.value;
}

/** Whether the pending read stays pending for `ms` (it is left pending). */
export async function staysPending(read: Promise<unknown>, ms: number): Promise<boolean> {
  return (await withTimeout(read, ms)) === 'timeout';
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

let counter = 0;
/** A stream name unique within the process, in core's `strm_` form. */
export const uniqueName = (label = 'user') => `strm_${Date.now().toString(36)}${(counter++).toString(36)}_${label}`;
