// WorkflowLineMarker on DynamoDB: one item in the steps table, beside the
// queue records (`Q#…`), written once with attribute_not_exists and never
// expired. A claim is one conditional PutItem; when a line is recorded, the
// failed condition returns the item (ReturnValuesOnConditionCheckFailure), or
// a strongly consistent GetItem reads it where that is not supported.
import { GetItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isWorkflowLine, type WorkflowLine } from '../../../domain/workflow-line.js';
import type { WorkflowLineMarker } from '../../../ports/workflow-line-marker.js';
import { awsErrorName, toWorldError } from '../aws-errors.js';

type Item = Record<string, AttributeValue>;

/** The marker's key: no run id, step key or queue record starts with `L#`. */
export const WORKFLOW_LINE_KEY: Item = { pk: { S: 'L#workflow-line' }, sk: { S: 'L' } };

export class DynamoDbWorkflowLineMarker implements WorkflowLineMarker {
  constructor(
    private readonly client: DynamoDBClient,
    /** The installation's steps table. */
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(line: WorkflowLine): Promise<WorkflowLine> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { ...WORKFLOW_LINE_KEY, line: { S: line }, at: { S: new Date(this.now()).toISOString() } },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return line;
    } catch (error) {
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw toWorldError(error, 'DynamoDB.PutItem');
      const held = (error as { Item?: Item }).Item;
      const recorded = held ? lineOf(held) : await this.read();
      if (!recorded) throw new Error(`the workflow line marker of ${this.table} holds no valid line`);
      return recorded;
    }
  }

  async read(): Promise<WorkflowLine | undefined> {
    let item: Item | undefined;
    try {
      ({ Item: item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: WORKFLOW_LINE_KEY, ConsistentRead: true })));
    } catch (error) {
      throw toWorldError(error, 'DynamoDB.GetItem');
    }
    return item ? lineOf(item) : undefined;
  }
}

function lineOf(item: Item): WorkflowLine | undefined {
  const line = item.line?.S;
  return isWorkflowLine(line) ? line : undefined;
}
