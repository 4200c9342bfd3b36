// In-memory StreamStore: the port's reference semantics. One instance can be
// shared by several worlds in a process (they then see the same streams).
// Appends and the EOF are applied synchronously, so they are atomic; data
// appended after the first EOF is dropped, as the DynamoDB store does.
import type { StoredChunk, StreamStore } from '../../ports/stream-store.js';

interface MemoryStream {
  runId: string;
  chunks: Uint8Array[];
  /** Data count at the first EOF. */
  eofAt?: number;
}

export class MemoryStreamStore implements StreamStore {
  private readonly streams = new Map<string, MemoryStream>();

  async append(name: string, runId: string, chunks: Uint8Array[]): Promise<void | 'closed'> {
    const stream = this.open(name, runId);
    if (stream.eofAt !== undefined) return 'closed';
    for (const chunk of chunks) stream.chunks.push(chunk.slice());
  }

  async close(name: string, runId: string): Promise<void> {
    const stream = this.open(name, runId);
    stream.eofAt ??= stream.chunks.length;
  }

  async read(name: string, fromIndex: number, limit: number): Promise<{ chunks: StoredChunk[]; done: boolean; dataCount: number }> {
    const stream = this.streams.get(name);
    if (!stream) return { chunks: [], done: false, dataCount: 0 };
    const dataCount = stream.eofAt ?? stream.chunks.length;
    const from = Math.max(0, fromIndex);
    const to = Math.min(dataCount, from + Math.max(0, limit));
    const chunks: StoredChunk[] = [];
    for (let index = from; index < to; index++) chunks.push({ index, data: stream.chunks[index]!.slice() });
    return { chunks, done: stream.eofAt !== undefined, dataCount };
  }

  async info(name: string): Promise<{ dataCount: number; done: boolean }> {
    const stream = this.streams.get(name);
    if (!stream) return { dataCount: 0, done: false };
    return { dataCount: stream.eofAt ?? stream.chunks.length, done: stream.eofAt !== undefined };
  }

  async listByRun(runId: string): Promise<string[]> {
    return [...this.streams].filter(([, s]) => s.runId === runId).map(([name]) => name);
  }

  /** The first write or close links the stream to its run, as the DynamoDB head item does. */
  private open(name: string, runId: string): MemoryStream {
    let stream = this.streams.get(name);
    if (!stream) {
      stream = { runId, chunks: [] };
      this.streams.set(name, stream);
    }
    return stream;
  }
}
