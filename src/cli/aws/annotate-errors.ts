// Tags a failed SDK call with its IAM action ("iam:CreateRole"), so an
// AccessDenied whose message names no action can still be reported precisely.

const SERVICE_PREFIX: Record<string, string> = {
  DynamoDBClient: 'dynamodb',
  SQSClient: 'sqs',
  S3Client: 's3',
  LambdaClient: 'lambda',
  IAMClient: 'iam',
};

export const FAILED_ACTION = Symbol.for('aws-workflow.failedAction');

type Handler = (args: unknown) => Promise<unknown>;
type Middleware = (next: Handler, context: { clientName?: string; commandName?: string }) => Handler;
interface HasMiddlewareStack {
  middlewareStack: { add(middleware: Middleware, options: { step: 'initialize'; name: string }): void };
}

export function annotateFailedCommand(client: unknown): void {
  (client as HasMiddlewareStack).middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (error && typeof error === 'object') {
          const service = SERVICE_PREFIX[String(context.clientName)] ?? String(context.clientName);
          const action = String(context.commandName).replace(/Command$/, '');
          Object.defineProperty(error, FAILED_ACTION, { value: `${service}:${action}`, enumerable: false, configurable: true });
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'awsWorkflowAnnotateFailedCommand' },
  );
}

export function failedAction(error: unknown): string | undefined {
  return error && typeof error === 'object' ? ((error as Record<symbol, unknown>)[FAILED_ACTION] as string | undefined) : undefined;
}
