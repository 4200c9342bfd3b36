// @workflow/world-aws/lambda: the AWS Lambda entry for SQS event-source mappings.
export { createLambdaHandler, type LambdaHandlerOptions, type LambdaRoute, type SqsLambdaHandler } from './lambda-handler.js';
export type { SqsBatchResponse, SqsEvent, SqsMessageAttribute, SqsRecord } from './sqs-event.js';
export type { RouteHandler } from '../application/queue/route-deliverer.js';
