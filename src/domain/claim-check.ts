// Claim checks: a value too large to travel inline (in an item, a queue
// message or a stream chunk) is stored as a blob in the installation's bucket,
// and a reference to it travels instead. Every claim check keeps its blobs
// under one of these prefixes: payloads of runs, steps, events and stream
// chunks under `payloads/<runId>/`, queue message bodies under `queue/`.
export const CLAIM_CHECK_PREFIX = {
  payloads: 'payloads/',
  queue: 'queue/',
} as const;
