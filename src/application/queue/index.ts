// The queue half of the World, for the facade to wire into createWorld().
export {
  createQueueServices,
  type QueueConfig,
  type QueueConsumerControl,
  type QueueServices,
  type QueueServicesDeps,
  type QueueServicesOptions,
} from './queue-services.js';
export { QUEUE_SERVICES, attachQueueServices, queueServicesOf } from './services-lookup.js';
export { DELIVERY_HEADERS } from './delivery-protocol.js';
export { gateCommits } from './inline-steps.js';
