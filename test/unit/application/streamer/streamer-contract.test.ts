import { createStreamer } from '../../../../src/application/streamer/index.js';
import { MemoryStreamStore } from '../../../../src/adapters/memory/memory-stream-store.js';
import { streamerContract } from './contract-suite.js';
import { MapBlobStore, realClock } from './helpers.js';

streamerContract('MemoryStreamStore', () => {
  const store = new MemoryStreamStore();
  const blobs = new MapBlobStore();
  return {
    liveWaitMs: 2000,
    streamer: (options = {}) =>
      createStreamer({
        store,
        blobs: options.blobs ?? blobs,
        clock: realClock,
        maxInlineBytes: options.maxInlineBytes ?? 64 * 1024,
        poll: { minMs: 2, maxMs: 20, graceMs: 20 },
      }),
  };
});
