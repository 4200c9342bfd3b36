export { createStreamer, READ_PAGE_SIZE, STREAM_FLUSH_INTERVAL_MS, type StreamerDeps, type WorldStreamer } from './create-streamer.js';
export { DEFAULT_POLL, PollBackoff, type PollOptions } from './poll-backoff.js';
export { StreamNotifier } from './stream-notifier.js';
export { DEFAULT_CHUNK_PAGE, MAX_CHUNK_PAGE } from './chunk-pages.js';
