// The workflow@5 World's types, from @workflow/world 5 installed under an
// alias (devDependency `@workflow/world-v5`): types only, erased at build, so
// the facade loads no 5 package at runtime.
import type { World } from '@workflow/world-v5';

export type WorldV5 = World;
export type StorageV5 = Pick<World, 'runs' | 'steps' | 'events' | 'hooks'>;
export type StreamsV5 = World['streams'];
export type EventsV5 = World['events'];
export type RunsV5 = World['runs'];
export type {
  BatchEventRequest,
  CreateEventBatchParams,
  CreateEventParams,
  EventBatchResult,
  EventResult,
  QueueBatchResult,
  QueueOptions,
  QueuePayload,
  ValidQueueName,
  WorkflowRun,
  WorldCapabilities,
} from '@workflow/world-v5';
