// world.streams on the 5 line: the 4.x streamer's methods, with the run id
// first. Stream names carry their run id (`strm_<run ULID>_user…`), so the
// store stays keyed by name.
import type { WorldStreamer } from '../application/streamer/index.js';
import type { StreamsV5 } from './types.js';

export function streamsOf(streamer: WorldStreamer): StreamsV5 {
  return {
    write: (runId, name, chunk) => streamer.writeToStream(name, runId, chunk),
    writeMulti: (runId, name, chunks) => streamer.writeToStreamMulti(name, runId, chunks),
    close: (runId, name) => streamer.closeStream(name, runId),
    get: (_runId, name, startIndex) => streamer.readFromStream(name, startIndex),
    list: (runId) => streamer.listStreamsByRunId(runId),
    getChunks: (runId, name, options) => streamer.getStreamChunks(name, runId, options),
    getInfo: (runId, name) => streamer.getStreamInfo(name, runId),
  };
}
