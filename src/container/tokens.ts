// Inversify service identifiers: one per port, plus the resolved config.
export const TOKENS = {
  Config: Symbol.for('world-aws.Config'),
  EventStore: Symbol.for('world-aws.EventStore'),
  BlobStore: Symbol.for('world-aws.BlobStore'),
  MessageQueue: Symbol.for('world-aws.MessageQueue'),
  StreamStore: Symbol.for('world-aws.StreamStore'),
  Clock: Symbol.for('world-aws.Clock'),
  IdSource: Symbol.for('world-aws.IdSource'),
  Logger: Symbol.for('world-aws.Logger'),
  IdempotencyStore: Symbol.for('world-aws.IdempotencyStore'),
  RunKeySource: Symbol.for('world-aws.RunKeySource'),
  SnapshotCache: Symbol.for('world-aws.SnapshotCache'),
} as const;
